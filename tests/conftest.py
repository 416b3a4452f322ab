"""Settings and fixtures of the whole suite.

- Every test starts from the same seeds (``random``, numpy, thinc), and Hypothesis runs
  derandomized with no deadline: a run cannot depend on luck or on the load of the machine.
- A skipped (or xfailed) test fails the run, with the list of them at the end: the suite
  either runs a test or does not collect it, so CI cannot stay green on checks that never
  ran (the data they need is committed under examples/data; Ray is in requirements-dev.txt).
- The EWT samples converted to .fastpipe once per run, for the tests that train on them.
"""
import pytest
from hypothesis import settings
from thinc.api import fix_random_seed

from tests.helpers.data import EWT_DEV_SAMPLE, EWT_TRAIN_SAMPLE

settings.register_profile("fastpipe", derandomize=True, deadline=None, database=None,
                          print_blob=True)
settings.load_profile("fastpipe")


@pytest.fixture(autouse=True)
def seed():
    fix_random_seed(0)


@pytest.fixture(scope="session")
def en():
    import fastpipe

    return fastpipe.blank("en")


@pytest.fixture(scope="session")
def ewt_corpus(tmp_path_factory):
    """(train, dev): the EWT train and dev samples converted by ``convert_file``, 10
    sentences a document (the README's commands make the same files)."""
    from fastpipe.cli.convert import convert_file

    folder = tmp_path_factory.mktemp("ewt")
    train = convert_file(EWT_TRAIN_SAMPLE, folder, n_sents=10)["output"]
    dev = convert_file(EWT_DEV_SAMPLE, folder, n_sents=10)["output"]
    return train, dev


@pytest.fixture(scope="session")
def ewt_split(tmp_path_factory):
    """(folder, held-out docs): the EWT dev sample converted 5 sentences a document, its
    first 50 documents (250 sentences) in folder/train.fastpipe, the other 10 (50 sentences)
    in folder/dev.fastpipe."""
    import fastpipe
    from fastpipe.cli.convert import convert_file
    from fastpipe.tokens import DocBin

    folder = tmp_path_factory.mktemp("ewt-split")
    stats = convert_file(EWT_DEV_SAMPLE, folder, n_sents=5)
    docs = list(DocBin().from_disk(stats["output"]).get_docs(fastpipe.blank("en").vocab))
    assert len(docs) == 60
    DocBin(docs=docs[:50]).to_disk(folder / "train.fastpipe")
    DocBin(docs=docs[50:]).to_disk(folder / "dev.fastpipe")
    return folder, docs[50:]


# -- a skipped test fails the run ------------------------------------------------------------

class _NotRun:
    """Collects the tests (and modules) that were skipped or xfailed; makes a run that would
    otherwise pass fail, and lists them in the summary."""

    def __init__(self):
        self.items = []

    def pytest_collectreport(self, report):
        if report.skipped:  # a module-level pytest.skip or importorskip
            self.items.append(f"{report.nodeid} ({_reason(report)})")

    def pytest_runtest_logreport(self, report):
        if report.skipped:
            what = (f"xfail: {report.wasxfail}" if hasattr(report, "wasxfail")
                    else _reason(report))
            self.items.append(f"{report.nodeid} ({what})")

    def pytest_sessionfinish(self, session, exitstatus):
        if self.items and exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter):
        if not self.items:
            return
        terminalreporter.section("tests that did not run", sep="=", red=True, bold=True)
        terminalreporter.line(f"{len(self.items)} skipped or xfailed; the suite fails when any "
                              "test does not run (see tests/conftest.py):", red=True)
        for line in self.items:
            terminalreporter.line(f"  {line}")


def _reason(report):
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return f"skipped: {longrepr[2]}"
    return "skipped"


def pytest_configure(config):
    config.pluginmanager.register(_NotRun(), "fastpipe-not-run")
