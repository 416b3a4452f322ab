"""Training data: examples, alignment, IOB/BILUO conversion, corpus readers and converters."""
