"""Error messages of architectures and layers, the character embedding and the Mish encoder."""


class MLErrors:
    # ml: architectures and layers (E220-E241)
    E220 = ("fastpipe.MultiHashEmbed.v1: include_static_vectors = true is not supported: fastpipe "
            "vocabs hold no static vectors. Set it to false in the config.")
    E221 = ("fastpipe.MultiHashEmbed.v1: attrs has {n_attrs} entries but rows has {n_rows}; give "
            "one row count per attribute.")
    E222 = "fastpipe.MultiHashEmbed.v1: attrs must name at least one attribute, such as [\"NORM\"]."
    E223 = "fastpipe.MultiHashEmbed.v1: width and rows must be positive, got {width} and {rows}."
    E224 = ("fastpipe.MaxoutWindowEncoder.v1: width, maxout_pieces and depth must be positive and "
            "window_size 0 or more (got {width}, {maxout_pieces}, {depth}, {window_size}).")
    E225 = ("fastpipe.MaxoutWindowEncoder.v1: maxout_pieces must be at most 255, got "
            "{maxout_pieces}.")
    E226 = ("{name}: the input has {n_in} columns but the layer expects {expected}: check the "
            "width of the layer before it.")
    E227 = "fastpipe.TransitionBasedParser.v1: state_type must be 'parser' or 'ner', got {value!r}."
    E228 = "fastpipe.TransitionBasedParser.v1: n_feats must be positive, got {value}."
    E229 = ("fastpipe.TransitionBasedParser.v1: hidden_width must be positive and maxout_pieces "
            "between 1 and 255 (got {hidden_width}, {maxout_pieces}).")
    E230 = ("{name} is a part of fastpipe.TransitionBasedParser.v1: call the parser model, not "
            "this part.")
    E231 = ("fastpipe.TransitionBasedParser.v1: the number of moves (nO) is unknown. Call "
            "resize_output(model, n_moves) before initialize, or set nO.")
    E232 = "resize_output: the number of moves must be positive, got {value}."
    E233 = "Parser model: feature ids must have shape (n_states, {n_feats}), got {shape}."
    E234 = ("Parser model: begin_update on a step that predict() returned; use "
            "model.begin_update(docs) for training.")
    E235 = "Parser model: this batch's finish() was already called; start a new batch."
    E236 = "Parser model: backprop_step after the batch's finish(); call it before finish()."
    E237 = "Parser model: d_scores must have shape {expected}, got {shape}."
    E238 = ("{name}: the number of {what} (nO) is unknown. Pass nO to the architecture, call "
            "model.set_dim('nO', n), or initialize with a label sample Y.")
    E239 = "fastpipe.TextCatBOW.v1: ngram_size must be between 1 and {max}, got {value}."
    E240 = "fastpipe.TextCatBOW.v1: length must be positive, got {value}."
    E241 = ("fastpipe.TextCatEnsemble.v1: linear_model has nO = {n_linear}, but the ensemble has "
            "{expected} classes: give both the same nO.")
    E242 = "FastpipeOps runs on the CPU only, not on {device!r}: leave the device at \"cpu\"."
    # the character embedding, the Mish and the BiLSTM encoders, the listener (E870-E879)
    E870 = ("CharacterEmbed: width, rows, nM and nC must be positive whole numbers, got width "
            "{width}, rows {rows}, nM {nM}, nC {nC}.")
    E871 = ("MishWindowEncoder: width and depth must be positive and window_size at least 0, "
            "got width {width}, depth {depth}, window_size {window_size}.")
    E872 = ("BiLSTMEncoder: width must be a positive even number (half of it runs each way), "
            "depth 0 or more and dropout in [0, 1), got width {width}, depth {depth}, dropout "
            "{dropout}.")
    E873 = ("Tok2VecListener (upstream {upstream!r}): grad_factor must be a finite number, 0 or "
            "more, got {grad_factor}.")
