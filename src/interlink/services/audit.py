"""The audit that holds in court: signed checkpoints of the chain, export, and verification.

The chain (``adapters/sql/audit.py``) shows any change, insertion, deletion or reordering of
records to whoever recomputes it, but someone who can write to the database can rewrite it
whole. Checkpoints close that gap: the chain's head (record id, hash, count, time) signed with
the node's Ed25519 key, which lives in a file outside the database. A rewritten chain no longer
holds the signed heads, and new checkpoints cannot be forged without the key. Exported
checkpoints, kept elsewhere, also catch the deletion of the stored ones.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from interlink.adapters.audit_key import NodeKey
from interlink.adapters.files import atomic_output
from interlink.adapters.sql.audit_checkpoints import StoredCheckpoint
from interlink.adapters.sql.store import SqlStore
from interlink.audit_verifier import (
    ALGORITHM,
    CHECKPOINT_FORMAT,
    Head,
    check_document,
    checkpoint_body,
    signature_problem,
)
from interlink.settings import Settings


@dataclass(frozen=True, slots=True)
class AuditVerification:
    """The outcome of ``verify_audit``.

    ``ok`` only if the chain is intact, every stored checkpoint verifies with the node's key,
    none is missing, and the exported checkpoint (if given) is genuine, still stored and its
    head still in the chain. ``first_bad_id`` names the first record that is (or may have
    been) tampered with; ``problems`` lists everything found.
    """

    ok: bool
    records: int
    checkpoints: int
    first_bad_id: int | None
    reason: str
    problems: tuple[str, ...]
    key_fingerprint: str | None

    def to_json(self) -> dict[str, Any]:
        """The outcome as JSON."""
        return {
            "ok": self.ok,
            "records": self.records,
            "checkpoints": self.checkpoints,
            "first_bad_id": self.first_bad_id,
            "reason": self.reason,
            "problems": list(self.problems),
            "key_fingerprint": self.key_fingerprint,
        }


def make_checkpoint(
    store: SqlStore, key: NodeKey, *, now: datetime | None = None
) -> StoredCheckpoint:
    """Sign the chain's head now and store the checkpoint (appends wait meanwhile); the
    records queued by then are chained first, so the checkpoint covers them."""
    at = (now or datetime.now(UTC)).astimezone(UTC).isoformat()
    store.audit.settle()
    with store.transaction() as tx:
        head = store.audit.head(tx, lock=True)
        seq = store.checkpoints.next_seq(tx)
        unsigned = StoredCheckpoint(
            seq, head.record_id, head.hash, head.count, at, key.fingerprint, signature=""
        )
        signature = key.sign(checkpoint_body(unsigned.fields()))
        checkpoint = replace(unsigned, signature=signature)
        store.checkpoints.add(tx, checkpoint)
    return checkpoint


def maybe_checkpoint(
    store: SqlStore,
    key: NodeKey,
    *,
    every_records: int,
    every_seconds: float,
    now: datetime | None = None,
) -> StoredCheckpoint | None:
    """Sign a checkpoint if the chain grew by ``every_records`` records since the last one, or
    grew at all and the last one is ``every_seconds`` old (or there is none); else nothing."""
    now = now or datetime.now(UTC)
    last = store.checkpoints.last()
    store.audit.settle()  # the records queued by now count
    with store.engine.connect() as connection:
        head = store.audit.head(connection)
    if head.count == 0 or (last is not None and head.count == last.count):
        return None
    if last is not None:
        age = (now - datetime.fromisoformat(last.at)).total_seconds()
        if head.count - last.count < every_records and age < every_seconds:
            return None
    return make_checkpoint(store, key, now=now)


def checkpoint_document(checkpoint: StoredCheckpoint, key: NodeKey) -> dict[str, Any]:
    """The exported form of a checkpoint (``docs/architecture/audit.md``): its signed fields,
    the signature and the public key, so it can be checked without the node."""
    return {
        "format": CHECKPOINT_FORMAT,
        "checkpoint": checkpoint.fields(),
        "algorithm": ALGORITHM,
        "public_key": key.public_key.hex(),
        "signature": checkpoint.signature,
    }


def write_checkpoint(path: Path, document: Mapping[str, Any]) -> None:
    """Write an exported checkpoint to ``path`` (whole or not at all)."""
    with atomic_output(path) as stream:
        stream.write(json.dumps(document, indent=2, sort_keys=True).encode() + b"\n")


def read_checkpoint(path: Path) -> dict[str, Any]:
    """An exported checkpoint read back (malformed content is for ``verify_audit`` to judge)."""
    from interlink.adapters.files import read_input_text
    from interlink.domain.errors import FormatError

    text = read_input_text(path, "checkpoint file")
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise FormatError(f"not a checkpoint file: {exc}", str(path)) from None
    if not isinstance(document, dict):
        raise FormatError("not a checkpoint file: not a JSON object", str(path))
    return document


def export_log(store: SqlStore, stream: TextIO) -> int:
    """Write every audit record, in chain order, as JSON Lines (the stand-alone verifier's
    input); return how many."""
    written = 0
    store.audit.settle()
    with store.engine.connect() as connection:
        for record in store.audit.export_rows(connection):
            stream.write(json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n")
            written += 1
    return written


def verify_audit(
    store: SqlStore, public_key: bytes | None, exported: Mapping[str, Any] | None = None
) -> AuditVerification:
    """Check the chain, every stored checkpoint against the node's ``public_key`` (raw
    Ed25519; ``None`` if the node has no key), and an ``exported`` checkpoint document."""
    from interlink.audit_verifier import fingerprint

    node = fingerprint(public_key) if public_key is not None else None
    problems: list[str] = []
    heads: list[Head] = []
    stored = store.checkpoints.all()
    for expected, checkpoint in enumerate(stored, start=1):
        if checkpoint.seq != expected and not any("missing" in p for p in problems):
            problems.append(f"checkpoint {expected} is missing from the store (deleted)")
        if public_key is None:
            problems.append(f"checkpoint {checkpoint.seq} cannot be checked: the node has no key")
            continue
        problem = signature_problem(checkpoint.fields(), checkpoint.signature, public_key)
        if problem:
            problems.append(f"checkpoint {checkpoint.seq} is forged: {problem}")
        else:
            heads.append(checkpoint.head)
    if exported is not None:
        heads += _exported_head(exported, node, stored, problems)
    chain = store.audit.verify(heads)
    first_bad, reason = chain.first_bad_id, chain.reason
    if chain.ok and problems:
        covered = max((h.count for h in heads), default=0)
        first_bad = store.audit.record_id_at(covered + 1)
        reason = problems[0]
    return AuditVerification(
        ok=chain.ok and not problems,
        records=chain.records,
        checkpoints=len(stored),
        first_bad_id=first_bad,
        reason=reason,
        problems=tuple(([chain.reason] if not chain.ok else []) + problems),
        key_fingerprint=node,
    )


def _exported_head(
    document: Mapping[str, Any],
    node: str | None,
    stored: list[StoredCheckpoint],
    problems: list[str],
) -> list[Head]:
    head, problem = check_document(document)
    if problem:
        problems.append(f"the exported checkpoint cannot be trusted: {problem}")
        return []
    found = document["checkpoint"]
    if found["key_fingerprint"] != node:
        problems.append(
            f"the exported checkpoint was signed by key {found['key_fingerprint']}, "
            f"not this node's ({node})"
        )
        return []
    same = [c for c in stored if c.seq == found["seq"]]
    if not same:
        problems.append(f"exported checkpoint {found['seq']} is missing from the store (deleted)")
    elif same[0].fields() != dict(found) or same[0].signature != document["signature"]:
        problems.append(f"exported checkpoint {found['seq']} differs from the stored one")
    return [Head(head.record_id, head.hash, head.count, f"exported {head.label}")]


def checkpoint_if_due(
    store: SqlStore, settings: Settings, *, create_key: bool = False
) -> StoredCheckpoint | None:
    """At the end of a command or job: sign a checkpoint if one is due by the settings'
    intervals. Without a key file nothing is signed, unless ``create_key`` (a service process
    such as the worker) makes it on first use. An unusable key raises ``AuditKeyError``."""
    from interlink.adapters.audit_key import ensure_key, load_key

    path = settings.audit_key_path
    if create_key:
        key, _ = ensure_key(path)
    elif path.exists():
        key = load_key(path)
    else:
        return None
    return maybe_checkpoint(
        store,
        key,
        every_records=settings.audit_checkpoint_records,
        every_seconds=settings.audit_checkpoint_seconds,
    )


def verify_node_audit(
    store: SqlStore, settings: Settings, exported: Mapping[str, Any] | None = None
) -> AuditVerification:
    """``verify_audit`` with this node's key (``settings.audit_key_path``); a node without a
    key file has only the chain to check (and fails if checkpoints exist)."""
    from interlink.adapters.audit_key import load_key

    path = settings.audit_key_path
    public_key = load_key(path).public_key if path.exists() else None
    return verify_audit(store, public_key, exported)


def checkpoint_now(store: SqlStore, key: NodeKey) -> dict[str, Any]:
    """Sign the chain's head now; return the exported form of the checkpoint
    (``checkpoint_document``). The key: ``ensure_key(settings.audit_key_path)[0]``."""
    return checkpoint_document(make_checkpoint(store, key), key)
