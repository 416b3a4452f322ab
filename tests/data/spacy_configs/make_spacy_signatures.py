"""Write spacy_signatures.json: the parameters of the spaCy functions that fastpipe.aliases
registers under spaCy's names (name, kind, default, annotation), read with ``inspect`` from
the installed spaCy. Run it where spaCy is installed (the tests never import spaCy):

    python tests/data/spacy_configs/make_spacy_signatures.py
"""
import inspect
import json
from pathlib import Path

import spacy
from spacy import registry

NAMES = {
    "architectures": ["spacy.Tok2Vec.v2", "spacy.MultiHashEmbed.v2",
                      "spacy.MaxoutWindowEncoder.v2", "spacy.MishWindowEncoder.v2",
                      "spacy.TorchBiLSTMEncoder.v1",
                      "spacy.CharacterEmbed.v2", "spacy.Tok2VecListener.v1",
                      "spacy.HashEmbedCNN.v2", "spacy.Tagger.v2",
                      "spacy.TransitionBasedParser.v2", "spacy.TextCatBOW.v3",
                      "spacy.TextCatBOW.v2", "spacy.TextCatEnsemble.v2",
                      "spacy.PretrainCharacters.v1", "spacy.PretrainVectors.v1",
                      "spacy.SpanCategorizer.v1", "spacy.SpanFinder.v1"],
    "layers": ["spacy.mean_max_reducer.v1", "spacy.LinearLogistic.v1"],
    "readers": ["spacy.Corpus.v1", "spacy.JsonlCorpus.v1", "spacy.read_labels.v1"],
    "batchers": ["spacy.batch_by_words.v1", "spacy.batch_by_sequence.v1",
                 "spacy.batch_by_padded.v1"],
    "loggers": ["spacy.ConsoleLogger.v1", "spacy.ConsoleLogger.v2", "spacy.ConsoleLogger.v3"],
    "tokenizers": ["spacy.Tokenizer.v1"],
    "augmenters": ["spacy.lower_case.v1", "spacy.orth_variants.v1"],
    "vectors": ["spacy.Vectors.v1"],
    "misc": ["spacy.levenshtein_compare.v1", "spacy.LookupsDataLoader.v1",
             "spacy.ngram_suggester.v1", "spacy.ngram_range_suggester.v1",
             "spacy.preset_spans_suggester.v1", "spacy.first_longest_spans_filter.v1",
             "spacy.prioritize_new_ents_filter.v1", "spacy.prioritize_existing_ents_filter.v1"],
    "scorers": ["spacy.tagger_scorer.v1", "spacy.parser_scorer.v1", "spacy.ner_scorer.v1",
                "spacy.textcat_scorer.v1", "spacy.textcat_scorer.v2",
                "spacy.textcat_multilabel_scorer.v1", "spacy.textcat_multilabel_scorer.v2",
                "spacy.entity_ruler_scorer.v1", "spacy.senter_scorer.v1",
                "spacy.morphologizer_scorer.v1", "spacy.lemmatizer_scorer.v1",
                "spacy.spancat_scorer.v1", "spacy.overlapping_labeled_spans_scorer.v1",
                "spacy.attribute_ruler_scorer.v1", "spacy.span_finder_scorer.v1"],
}


def describe(param: inspect.Parameter) -> dict:
    default = None if param.default is param.empty else param.default
    annotation = None if param.annotation is param.empty else str(param.annotation)
    return {"name": param.name, "kind": param.kind.name,
            "required": param.default is param.empty, "default": default,
            "annotation": annotation}


def main():
    out = {"spacy_version": spacy.__version__, "functions": {}}
    for reg_name, names in NAMES.items():
        for name in names:
            params = inspect.signature(registry.get(reg_name, name)).parameters.values()
            out["functions"][f"{reg_name} {name}"] = [describe(p) for p in params]
    path = Path(__file__).with_name("spacy_signatures.json")
    path.write_text(json.dumps(out, indent=1) + "\n", encoding="utf8")


if __name__ == "__main__":
    main()
