"""Running the ``fastpipe`` command in-process through Click's test runner."""
from click.testing import CliRunner


def run(*args, env=None):
    """``fastpipe ARGS...`` (each argument passed through str); returns Click's Result, whose
    ``output`` holds stdout and stderr together."""
    from fastpipe.cli import app

    return CliRunner().invoke(app, [str(a) for a in args], env=env)


def table_steps(output: str):
    """The step column of the training table in a command's output."""
    rows = [line.split() for line in output.splitlines()]
    return [int(r[1]) for r in rows if len(r) > 2 and r[0].isdigit() and r[1].isdigit()]


def assert_one_clear_error(result, *fragments):
    """The command failed with exit code 1 and one ``Error:`` line (no traceback) holding
    every fragment."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.output.count("Error:") == 1, result.output
    for fragment in fragments:
        assert fragment in result.output, result.output
