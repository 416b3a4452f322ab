"""What several test modules share, one concept per module: ``data`` (paths of the committed
corpora and of ../shared, and Examples read from CoNLL-U), ``cli`` (the Click runner),
``tagger`` (the toy tagging corpus and the tagger configs), ``extensions`` (compiling an
outside Cython extension against fastpipe)."""
