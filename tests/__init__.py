"""fastpipe's test suite: a package, so test modules import the shared helpers as
``tests.helpers.<module>`` (no sys.path edits)."""
