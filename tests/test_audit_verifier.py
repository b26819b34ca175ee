"""The stand-alone verifier, run as a court would: a separate process, files only."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from interlink.adapters.audit_key import NodeKey, create_key
from interlink.adapters.sql.store import SqlStore
from interlink.audit_verifier import main
from interlink.services.audit import checkpoint_document, export_log, make_checkpoint


@pytest.fixture
def exported(tmp_path: Path) -> tuple[Path, Path, NodeKey]:
    store = SqlStore.open(f"sqlite:///{tmp_path / 'db.sqlite'}")
    for i in range(6):
        with store.transaction() as tx:
            store.audit.append(
                tx,
                actor="ex",
                action="media.reveal",
                object_type="media",
                object_id=str(i),
                after={"reason": f"grading {i}"},
            )
    key = create_key(tmp_path / "key.pem")
    document = checkpoint_document(make_checkpoint(store, key), key)
    log, checkpoint = tmp_path / "log.jsonl", tmp_path / "checkpoint.json"
    with log.open("w", encoding="utf-8") as stream:
        export_log(store, stream)
    checkpoint.write_text(json.dumps(document), encoding="utf-8")
    store.close()
    return log, checkpoint, key


def _verify(*args: str) -> tuple[int, dict[str, object]]:
    out = io.StringIO()
    from contextlib import redirect_stdout

    with redirect_stdout(out):
        code = main([*args, "--json"])
    return code, json.loads(out.getvalue())


def test_it_runs_alone_on_the_standard_library_and_cryptography(
    exported: tuple[Path, Path, NodeKey],
) -> None:
    log, checkpoint, key = exported
    probe = (
        "import runpy, sys; sys.argv = ['v', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('interlink.audit_verifier', run_name='__main__')\n"
        "except SystemExit as e:\n"
        "    bad = {m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'numpy', 'typer', 'PIL', 'rich', 'alembic')}\n"
        "    assert not bad, bad\n    raise\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", probe, str(log), str(checkpoint), "--fingerprint", key.fingerprint],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "verified: 6 records" in done.stdout


def test_each_tampering_of_the_export_is_named(exported: tuple[Path, Path, NodeKey]) -> None:
    log, checkpoint, _ = exported
    lines = log.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    changed = [dict(r) for r in records]
    changed[2]["after"] = {"reason": "nothing to see"}
    swapped = [records[0], records[2], records[1], *records[3:]]
    deleted = records[:3] + records[4:]
    cases = {
        "changed": (changed, records[2]["id"]),
        "swapped": (swapped, records[2]["id"]),
        "deleted": (deleted, records[4]["id"]),
    }
    for name, (tampered, bad_id) in cases.items():
        log.write_text("".join(json.dumps(r) + "\n" for r in tampered), encoding="utf-8")
        code, outcome = _verify(str(log), str(checkpoint))
        assert code == 1 and outcome["first_bad_id"] == bad_id, name
    log.write_text("".join(json.dumps(r) + "\n" for r in records[:4]), encoding="utf-8")
    code, outcome = _verify(str(log), str(checkpoint))
    assert code == 1 and "missing" in str(outcome["reason"])


def test_a_rewritten_export_and_a_foreign_checkpoint_are_refused(
    exported: tuple[Path, Path, NodeKey], tmp_path: Path
) -> None:
    from interlink.audit_verifier import GENESIS, checkpoint_body, record_digest

    log, checkpoint, key = exported
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    records[1]["actor"] = "nobody"
    prev = records[0]["hash"]
    for record in records[1:]:
        record["prev_hash"] = prev
        record["hash"] = prev = record_digest(prev, record["at"], record)
    log.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    code, outcome = _verify(str(log), str(checkpoint))
    assert code == 1 and outcome["first_bad_id"] == records[0]["id"]
    assert "rewritten" in str(outcome["reason"])
    # A checkpoint signed by the forger's own key fits the rewritten log, but not the node's
    # fingerprint the court was given.
    forger = create_key(tmp_path / "forger.pem")
    document = json.loads(checkpoint.read_text(encoding="utf-8"))
    fields = {**document["checkpoint"], "hash": prev, "key_fingerprint": forger.fingerprint}
    forged = {
        **document,
        "checkpoint": fields,
        "public_key": forger.public_key.hex(),
        "signature": forger.sign(checkpoint_body(fields)),
    }
    checkpoint.write_text(json.dumps(forged), encoding="utf-8")
    assert _verify(str(log), str(checkpoint))[0] == 0  # consistent with itself only
    code, outcome = _verify(str(log), str(checkpoint), "--fingerprint", key.fingerprint)
    assert code == 1 and "not the node's" in str(outcome["checkpoint_problem"])
    assert GENESIS != prev


def test_unreadable_files_exit_2(tmp_path: Path) -> None:
    (tmp_path / "log.jsonl").write_text("{not json\n", encoding="utf-8")
    (tmp_path / "c.json").write_text("{}", encoding="utf-8")
    assert main([str(tmp_path / "log.jsonl"), str(tmp_path / "missing.json")]) == 2
    assert main([str(tmp_path / "log.jsonl"), str(tmp_path / "c.json")]) == 2
