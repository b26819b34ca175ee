"""``cli.rich_help``: Typer's Rich help without Rich's Markdown and traceback renderers."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

_HELP = """
import sys
{before}
from interlink.cli.app import main
try:
    main({args!r})
except SystemExit:
    pass
print("loaded:", *(m for m in ("rich.markdown", "rich.traceback") if m in sys.modules),
      file=sys.stderr)
"""


def _run(args: list[str], before: str) -> tuple[str, str]:
    env = {**os.environ, "COLUMNS": "100", "TERMINAL_WIDTH": "100", "FORCE_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _HELP.format(before=before, args=args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    return done.stdout + done.stderr.rsplit("loaded:", 1)[0], done.stderr.rsplit("loaded:", 1)[1]


@pytest.mark.parametrize("args", [["--help"], ["cases", "--help"], ["scan", "--help"], ["nope"]])
def test_help_and_usage_errors_are_the_same_byte_for_byte(args: list[str]) -> None:
    ours, loaded = _run(args, before="")
    assert loaded.split() == []  # neither renderer was loaded
    real, loaded = _run(args, before="import rich.markdown, rich.traceback")
    assert loaded.split() == ["rich.markdown", "rich.traceback"]
    assert ours == real
    assert "Usage:" in ours


def test_the_stand_ins_make_the_real_renderers_and_leave_no_trace() -> None:
    program = """
import sys
from interlink.cli import rich_help
rich_help.install()
import typer.rich_utils as utils
assert "rich.markdown" not in sys.modules and "rich.traceback" not in sys.modules
made = utils.Markdown("*x*")
import rich.markdown
assert type(made) is rich.markdown.Markdown, type(made)
assert sys.modules["rich.markdown"] is rich.markdown and hasattr(rich.markdown, "Heading")
try:
    raise ValueError("boom")
except ValueError as error:
    import rich.traceback
    assert type(utils.Traceback.from_exception(ValueError, error, None)) is rich.traceback.Traceback
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=300
    )
    assert done.stdout.strip() == "ok", done.stderr
