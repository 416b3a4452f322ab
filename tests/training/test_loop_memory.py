"""The training loop, and ``Language.evaluate`` given no batch size, score the dev set in batches
of about ``EVAL_BATCH_WORDS`` words (not the pipeline's 1000 Docs, whose arrays for a whole
treebank's dev set stayed pooled for the rest of the run), and the scores are those of one
batch."""
from types import SimpleNamespace

from fastpipe.gold.corpus import Corpus
from fastpipe.language import Language, load
from fastpipe.language import training as language_training
from fastpipe.language.training import eval_batch_size
from tests.helpers.tagger import train_toy_tagger


def _examples(*lengths):
    return [SimpleNamespace(predicted=[0] * n) for n in lengths]


def test_eval_batch_size_holds_about_the_words_asked(monkeypatch):
    monkeypatch.setattr(language_training, "EVAL_BATCH_WORDS", 1000)
    assert eval_batch_size(_examples(100, 300, 200), 1000) == 5      # 200 words a Doc
    assert eval_batch_size(_examples(5) * 10, 1000) == 200           # never above 1000 words
    assert eval_batch_size(_examples(5) * 10, 64) == 64              # nor above batch_size
    assert eval_batch_size(_examples(4000, 6000), 1000) == 1         # at least one Doc
    assert eval_batch_size(_examples(0, 0), 1000) == 1000            # no words: batch_size


def test_the_loop_evaluates_in_small_batches_with_the_scores_of_one(tmp_path, monkeypatch):
    monkeypatch.setattr(language_training, "EVAL_BATCH_WORDS", 10)   # the toy dev Docs have 5 words each
    seen = []
    evaluate = Language.evaluate

    def spy(self, examples, *, batch_size=None):
        seen.append(batch_size)
        return evaluate(self, examples, batch_size=batch_size)

    monkeypatch.setattr(Language, "evaluate", spy)
    result, _ = train_toy_tagger(tmp_path)
    assert seen == [2, 2, 2]   # three evaluations, two Docs at a time
    best = load(result.best_path)
    dev = list(Corpus(tmp_path / "dev.fastpipe")(best))
    assert evaluate(best, dev, batch_size=1000)["tag_acc"] == result.best_score


def test_evaluate_without_a_batch_size_batches_by_words(tmp_path, monkeypatch):
    result, _ = train_toy_tagger(tmp_path)
    best = load(result.best_path)
    dev = list(Corpus(tmp_path / "dev.fastpipe")(best))
    one_batch = best.evaluate(dev, batch_size=1000)["tag_acc"]
    monkeypatch.setattr(language_training, "EVAL_BATCH_WORDS", 10)
    sizes = []
    pipe = Language.pipe

    def spy(self, docs, *, batch_size=None, **kwargs):
        sizes.append(batch_size)
        return pipe(self, docs, batch_size=batch_size, **kwargs)

    monkeypatch.setattr(Language, "pipe", spy)
    assert best.evaluate(dev)["tag_acc"] == one_batch
    assert sizes == [2]
