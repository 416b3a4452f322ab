"""Smoke test of an installed fastpipe (cibuildwheel's test-command, bin/check_wheel): import
the compiled modules, tokenize, train a tagger two steps and tag, and report the BLAS thread
guard, which must have set every BLAS library threadpoolctl finds to one thread (or find none,
as with Apple's Accelerate, which it cannot control: then the guard is cleanly absent).

Run it from outside the source tree, so that the installed package is the one imported.
"""
import platform
import sys

import numpy


def main() -> None:
    import fastpipe
    from fastpipe.gold.example import Example
    from fastpipe.ml import blas

    print(f"fastpipe {fastpipe.__version__} from {fastpipe.__file__}")
    print(f"python {platform.python_version()} on {platform.platform()}, numpy {numpy.__version__}")
    nlp = fastpipe.blank("en")
    doc = nlp("Wheels don't need a compiler, do they?")
    words = [t.text for t in doc]
    assert words == ["Wheels", "do", "n't", "need", "a", "compiler", ",", "do", "they", "?"], words

    tagged = [("I like green apples .", ["PRP", "VBP", "JJ", "NNS", "."]),
              ("She eats red cherries .", ["PRP", "VBZ", "JJ", "NNS", "."])]
    examples = [Example.from_dict(nlp.make_doc(text), {"tags": tags}) for text, tags in tagged]
    nlp.add_pipe("tagger")
    optimizer = nlp.initialize(lambda: examples)
    for step in range(2):
        losses = nlp.update(examples, sgd=optimizer)
        print(f"step {step}: losses {losses}")
    assert all(loss == loss for loss in losses.values()), "NaN loss"
    tags = [t.tag_ for t in nlp("I like red apples .")]
    assert len(tags) == 5 and all(tags), tags

    # A product large enough to go through fastpipe's BLAS path, which sets the guard.
    a = numpy.ones((512, 512), dtype="float32")
    out = numpy.empty((512, 512), dtype="float32")
    blas.matmul(a, a, out)
    assert out[0, 0] == 512.0
    from threadpoolctl import threadpool_info

    libraries = [lib for lib in threadpool_info() if lib["user_api"] == "blas"]
    for lib in libraries:
        print(f"BLAS {lib['internal_api']} {lib.get('version')}: {lib['num_threads']} thread(s)")
    assert all(lib["num_threads"] == 1 for lib in libraries), libraries
    if not libraries:
        print("BLAS thread guard: no BLAS library threadpoolctl can control; left as it is")
    print("smoke test passed")


if __name__ == "__main__":
    sys.exit(main())
