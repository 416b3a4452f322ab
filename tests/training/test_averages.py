"""Parameter averaging (``use_averages = true``, thinc's setting): the optimizer keeps a moving
average of every parameter, and evaluation, model-best and model-last use the averages while
training goes on with the raw weights."""
import io

import numpy

import fastpipe
from fastpipe.config import load_config_from_str
from fastpipe.training.initialize import init_nlp
from fastpipe.training.loop import train
from tests.helpers.tagger import TAGGER_CONFIG, write_tag_corpus


def params_of(nlp):
    """Every parameter of the pipeline in walk order: [((node id, name), copy)]."""
    out = []
    for _, proc in nlp.components:
        for node in proc.model.walk():
            for name in node.param_names:
                if node.has_param(name):
                    out.append(((node.id, name), node.get_param(name).copy()))
    return out


def test_evaluation_and_the_saved_pipelines_use_the_averages(tmp_path):
    train_path, dev_path = write_tag_corpus(tmp_path)
    config = load_config_from_str(TAGGER_CONFIG, {
        "paths.train": str(train_path), "paths.dev": str(dev_path),
        "training.optimizer.use_averages": True})
    nlp = init_nlp(config)
    seen = []  # the parameters each evaluation ran with
    optimizers = set()  # the optimizer the loop steps with
    evaluate, finish_update = nlp.evaluate, nlp.finish_update

    def evaluate_spy(examples, **kwargs):
        seen.append(params_of(nlp))
        return evaluate(examples, **kwargs)

    def finish_update_spy(sgd=None, **kwargs):
        optimizers.add(sgd)
        return finish_update(sgd, **kwargs)

    nlp.evaluate, nlp.finish_update = evaluate_spy, finish_update_spy
    result = train(nlp, tmp_path / "out", stdout=io.StringIO())
    (optimizer,) = optimizers
    averages = optimizer.averages
    raw = params_of(nlp)
    assert len(seen) == 3 and {key for key, _ in raw} <= set(averages)
    # training left the raw weights in the model, and they are not the averages
    differ = [key for key, value in raw if not numpy.allclose(value, averages[key])]
    assert len(differ) == len(raw)
    # the last evaluation (after the last update) ran with the averages, exactly
    for key, value in seen[-1]:
        assert numpy.array_equal(value, averages[key]), key
    # model-last holds the averages; model-best those of its evaluation
    best = seen[[4, 8, 12].index(result.best_step)]
    for folder, expected in (("model-last", seen[-1]), ("model-best", best)):
        loaded = params_of(fastpipe.load(tmp_path / "out" / folder))
        assert [k[1] for k, _ in loaded] == [k[1] for k, _ in expected]
        for (_, value), (key, wanted) in zip(loaded, expected):
            assert numpy.array_equal(value, wanted), (folder, key)


def test_without_averages_evaluation_uses_the_raw_weights(tmp_path):
    train_path, dev_path = write_tag_corpus(tmp_path)
    config = load_config_from_str(TAGGER_CONFIG, {
        "paths.train": str(train_path), "paths.dev": str(dev_path),
        "training.optimizer.use_averages": False})
    nlp = init_nlp(config)
    train(nlp, tmp_path / "out", stdout=io.StringIO())
    for (_, value), (_, saved) in zip(params_of(nlp),
                                      params_of(fastpipe.load(tmp_path / "out" / "model-last"))):
        assert numpy.array_equal(value, saved)
