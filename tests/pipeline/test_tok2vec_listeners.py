"""Shared embeddings: listeners get the tok2vec output, and their gradients update it."""
import numpy
import pytest

from fastpipe.language import Language
from tests.helpers.tagger import LISTENERS_CONFIG, config_from


def test_two_listeners_share_one_tok2vec(tag_examples):
    nlp = Language.from_config(config_from(LISTENERS_CONFIG))
    tok2vec = nlp.get_pipe("tok2vec")
    assert len(tok2vec.listeners) == 2
    examples = tag_examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    embed_before = [p.copy() for p in _params(tok2vec.model)]
    for _ in range(30):
        nlp.update(examples, sgd=optimizer)
    embed_after = _params(tok2vec.model)
    assert any(not numpy.allclose(a, b) for a, b in zip(embed_before, embed_after))
    doc = nlp("I like green apples .")
    assert doc.tensor is not None and doc.tensor.shape == (5, 32)
    assert [t.tag_ for t in doc] == ["PRP", "VBP", "JJ", "NNS", "."]


def test_frozen_tok2vec_is_not_updated(tag_examples):
    nlp = Language.from_config(config_from(LISTENERS_CONFIG))
    examples = tag_examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    tok2vec = nlp.get_pipe("tok2vec")
    before = [p.copy() for p in _params(tok2vec.model)]
    # frozen and annotating: its output is on the docs, listeners read doc.tensor
    for _ in range(3):
        nlp.update(examples, sgd=optimizer, exclude=["tok2vec"], annotates=["tok2vec"])
    after = _params(tok2vec.model)
    assert all(numpy.array_equal(a, b) for a, b in zip(before, after))


def test_listener_without_upstream_output_says_so(tag_examples):
    nlp = Language.from_config(config_from(LISTENERS_CONFIG))
    examples = tag_examples(nlp)
    nlp.initialize(lambda: examples)
    with pytest.raises(ValueError, match="E096"):
        nlp.get_pipe("tagger")(nlp.make_doc("no tensor here"))


def _params(model):
    return [node.get_param(name) for node in model.walk() for name in node.param_names
            if node.has_param(name)]


def test_listener_serves_a_subset_of_the_batch(tag_examples):
    """A component that skips examples still gets the shared vectors of the ones it keeps."""
    nlp = Language.from_config(config_from(LISTENERS_CONFIG))
    examples = tag_examples(nlp)
    nlp.initialize(lambda: examples)
    tok2vec = nlp.get_pipe("tok2vec")
    tok2vec.update(examples)
    listener = tok2vec.listeners[0]
    subset = [examples[2].predicted, examples[0].predicted]
    outputs, backprop = listener(subset, is_train=True)
    full = tok2vec._d_outputs
    assert outputs[0] is listener.attrs["state"].outputs[2]
    backprop([numpy.ones_like(o) for o in outputs])
    assert full[2].sum() == outputs[0].size and full[0].sum() == outputs[1].size
    assert not full[1].any()


def _with_grad_factors(factors):
    config = config_from(LISTENERS_CONFIG)
    for name, factor in factors.items():
        config["components"][name]["model"]["tok2vec"]["grad_factor"] = factor
    return Language.from_config(config)


def test_grad_factor_scales_what_a_listener_sends_upstream(tag_examples):
    """Backprop through a listener with grad_factor f adds f times the gradient to the tok2vec's
    output gradient; the other listener's share is untouched."""
    nlp = _with_grad_factors({"tagger": 2.5, "second": 0.0})
    examples = tag_examples(nlp)
    nlp.initialize(lambda: examples)
    tok2vec = nlp.get_pipe("tok2vec")
    tok2vec.update(examples)
    by_name = {listener.attrs["upstream"]: listener for listener in tok2vec.listeners}
    docs = [eg.predicted for eg in examples]
    for upstream, factor in (("tok2vec", 2.5), ("*", 0.0)):
        outputs, backprop = by_name[upstream](docs, is_train=True)
        before = [d.copy() for d in tok2vec._d_outputs]
        backprop([numpy.ones_like(o) for o in outputs])
        for d, b in zip(tok2vec._d_outputs, before):
            numpy.testing.assert_allclose(d - b, factor)


def test_grad_factor_in_training_and_spacys_listener_has_none(tag_examples):
    """A whole update: the tok2vec's loss (the squared gradient it received) is 0 when both
    listeners send nothing and 4 times as large with both factors 2 (the second update: the
    taggers' zero-initialised output layers send nothing back the first time); spaCy's
    spacy.Tok2VecListener.v1 has no grad_factor setting (it is 1)."""
    from fastpipe.registry import registry
    from fastpipe.util import fix_random_seed

    losses = {}
    for factor in (0.0, 1.0, 2.0):
        fix_random_seed(0)
        nlp = _with_grad_factors({"tagger": factor, "second": factor})
        examples = tag_examples(nlp)
        optimizer = nlp.initialize(lambda: examples)
        nlp.update(examples, sgd=optimizer)
        losses[factor] = nlp.update(examples, sgd=optimizer)["tok2vec"]
    assert losses[0.0] == 0.0 and losses[1.0] > 0
    assert losses[2.0] == pytest.approx(4 * losses[1.0], rel=1e-4)
    listener = registry.get("architectures", "spacy.Tok2VecListener.v1")(32, "tok2vec")
    assert listener.attrs["grad_factor"] == 1.0
    with pytest.raises(TypeError):
        registry.get("architectures", "spacy.Tok2VecListener.v1")(32, "tok2vec", 2.0)


@pytest.mark.parametrize("factor", [-1.0, float("nan"), float("inf")])
def test_grad_factor_refuses_what_is_not_a_weight(factor):
    with pytest.raises(ValueError, match="E873.*grad_factor"):
        _with_grad_factors({"tagger": factor})
