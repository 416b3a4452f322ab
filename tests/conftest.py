import pytest


@pytest.fixture(scope="session")
def en():
    import fastpipe

    return fastpipe.blank("en")
