"""Every command of the CLI, given a bad path, answers with one line and a documented exit code.

The commands are found by walking the Typer app's command tree, so a new command (or a new path
argument or option) is covered without touching this file; a new command with a required
argument this file cannot fill fails ``test_every_required_argument_has_a_value`` until one is
added to ``VALUES``. Each path parameter is run with each of the ``SITUATIONS`` against a store
that holds a scanned case, a list and a network build, so the commands get as far as the path.

Unreadable files: the tests run as root, and root reads a file whatever its mode, so
``chmod 000`` proves nothing. Two paths that no one can open stand in for it: a path through a
regular file (``file/inner``, ``ENOTDIR``) and a link to nothing (``ENOENT`` behind an entry
that exists). A FIFO is tried too: a plain ``open`` of one blocks until a writer comes, which is
a hang, not a message.
"""

from __future__ import annotations

import json
import os
import shutil
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer.main
from typer.main import get_command

from interlink.cli.app import app, main
from interlink.cli.exit_codes import ExitCode
from interlink.demo.images import encode, scene
from interlink.formats import cybertip
from tests.network.planted import planted_reports

#: A value for each required argument or option that is not a path, by parameter name.
VALUES = {
    "case": "C",
    "name": "L",
    "fmt": "csv",
    "url": "https://127.0.0.1:9",
    "fingerprint": "0" * 64,
}
#: The command the root's own options are tried with.
ROOT_PROBE = ["lists", "show", "--json"]


def _folder(tmp: Path) -> Path:
    (tmp / "folder").mkdir()
    (tmp / "folder" / "notes.txt").write_text("not evidence, not a list, not a report\n")
    return tmp / "folder"


def _file(tmp: Path) -> Path:
    (tmp / "file.txt").write_text("not a folder\n")
    return tmp / "file.txt"


def _through_a_file(tmp: Path) -> Path:
    return _file(tmp) / "inner"


def _dangling(tmp: Path) -> Path:
    (tmp / "dangling").symlink_to(tmp / "nowhere")
    return tmp / "dangling"


def _fifo(tmp: Path) -> Path:
    os.mkfifo(tmp / "fifo")
    return tmp / "fifo"


def _empty(tmp: Path) -> Path:
    (tmp / "empty").touch()
    return tmp / "empty"


#: What each path parameter is given: name -> how to make it under a fresh folder.
SITUATIONS: dict[str, Callable[[Path], Path]] = {
    "missing": lambda tmp: tmp / "missing",
    "folder": _folder,
    "file": _file,
    "unreadable: a path through a file": _through_a_file,
    "unreadable: a link to nothing": _dangling,
    "unreadable: a FIFO": _fifo,
    "empty file": _empty,
}
#: Runs left out, each with its reason.
LEFT_OUT = {
    ("demo", "--dir", "missing"): "the demo's normal run (minutes under load); test_app covers it",
}


@dataclass(frozen=True)
class PathParam:
    """One path argument or option of one command."""

    command: tuple[str, ...]
    param: str  # the option's flag, or the argument's name
    is_option: bool
    args: tuple[str, ...]  # the command line without the path, as a template
    has_json: bool

    @property
    def label(self) -> str:
        return " ".join((*self.command, self.param)) if self.command else f"<root> {self.param}"


def _is_path(param: typing.Any) -> bool:
    annotation = param.type_descriptor.annotation
    return annotation is Path or typing.get_args(annotation) == (Path,)


def _commands(
    command: typing.Any, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], typing.Any]]:
    yield path, command
    for name, sub in sorted((getattr(command, "commands", None) or {}).items()):
        yield from _commands(sub, (*path, name))


def _path_params() -> list[PathParam]:
    found = []
    for path, command in _commands(get_command(app)):
        for param in command.params:
            if not _is_path(param):
                continue
            is_option = param.param_type_name == "option"
            flag = param.opts[0] if is_option else param.name
            args: list[str] = []
            for other in command.params:
                if other is param or not other.required:
                    continue
                value = VALUES.get(other.name, f"<no value for {other.name}>")
                args += [other.opts[0], value] if other.param_type_name == "option" else [value]
            found.append(
                PathParam(
                    command=path,
                    param=flag,
                    is_option=is_option,
                    args=tuple(args),
                    has_json=any(o.name == "as_json" for o in command.params),
                )
            )
    return found


PARAMS = _path_params()


def test_the_walk_finds_the_commands_that_take_paths() -> None:
    labels = {p.label for p in PARAMS}
    assert {"scan exhibit", "lists import file", "reports import files", "report --vics"} <= labels
    assert "<root> --home" in labels


def test_every_required_argument_has_a_value() -> None:
    missing = [(p.label, a) for p in PARAMS for a in p.args if a.startswith("<no value")]
    assert not missing, f"add to VALUES in {__file__}: {missing}"


@pytest.fixture(autouse=True, scope="module")
def built_once() -> Iterator[None]:
    """Typer builds the click command tree from the app on every call, which is most of the
    cost of a run in-process; the tree does not change, so the matrix builds it once."""
    command = get_command(app)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.main, "get_command", lambda _: command)
        yield


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with a scanned case ``C``, a list ``L`` and a network build."""
    base = tmp_path_factory.mktemp("seeded")
    db = ["--db", f"sqlite:///{base / 'seed.db'}"]
    os.environ.setdefault("INTERLINK_WORKERS", "0")
    exhibit = base / "exhibit"
    exhibit.mkdir()
    (exhibit / "a.png").write_bytes(encode(scene(1), "PNG"))
    (base / "L.csv").write_text(f"sha256\n{'a' * 64}\n")
    planted = planted_reports(networks=1, size=3)
    (base / "tips.xml").write_bytes(
        b"".join(cybertip.write_reports(item.report for item in planted.reports))
    )
    for command in (
        ["scan", str(exhibit), "--case", "C", "--json"],
        ["lists", "import", str(base / "L.csv"), "--json"],
        ["reports", "import", str(base / "tips.xml"), "--json"],
        ["networks", "build", "--json"],
    ):
        with pytest.raises(SystemExit) as stopped:
            main([*db, *command])
        assert stopped.value.code in (0, None), command
    return base / "seed.db"


@pytest.mark.parametrize("situation", sorted(SITUATIONS))
@pytest.mark.parametrize("param", PARAMS, ids=lambda p: p.label)
def test_a_bad_path_is_one_line_and_a_documented_exit_code(
    param: PathParam,
    situation: str,
    seeded: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reason = LEFT_OUT.get((" ".join(param.command), param.param, situation))
    if reason is not None:
        pytest.skip(reason)
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(seeded, home / "interlink.db")
    monkeypatch.setenv("INTERLINK_HOME", str(home))
    monkeypatch.delenv("INTERLINK_DB", raising=False)
    monkeypatch.setenv("INTERLINK_WORKERS", "0")
    monkeypatch.chdir(tmp_path)
    value = str(SITUATIONS[situation](tmp_path))
    given = [param.param, value] if param.is_option else [value]
    argv = [*param.command, *param.args, *given]
    if not param.command:
        argv = [*given, *ROOT_PROBE]
    elif param.has_json:
        argv.append("--json")
    try:
        main(argv)
    except SystemExit as stopped:
        code = stopped.code if isinstance(stopped.code, int) else 0
    else:
        code = 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code in set(ExitCode), (argv, code, err)
    if code != ExitCode.OK:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (argv, code, err)
        assert out == "" or not param.has_json, (argv, out)
    elif param.has_json or not param.command:
        json.loads(out)
