__title__ = "fastpipe"
__version__ = "0.1.0"
