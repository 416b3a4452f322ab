import click

from ..about import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fastpipe")
def app():
    """Train and run NLP pipelines from one config file."""
