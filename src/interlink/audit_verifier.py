"""Verify an exported Interlink audit log against a signed checkpoint, without Interlink.

This one file depends on the Python standard library and ``cryptography`` only, so a court or
an auditor who does not run Interlink can copy it and run::

    python audit_verifier.py LOG.jsonl CHECKPOINT.json [--fingerprint HEX] [--json]
    python -m interlink.audit_verifier LOG.jsonl CHECKPOINT.json

``LOG.jsonl`` is ``interlink audit export``'s output: one record a line, in chain order, each
``{"id", "at", "actor", "action", "object_type", "object_id", "before", "after", "prev_hash",
"hash"}``. ``CHECKPOINT.json`` is ``interlink audit checkpoint -o``'s output (see
``docs/architecture/audit.md``). ``--fingerprint`` is the node's key fingerprint as learnt out of
band (from the node's operator, a warrant file): without it the verifier proves only that the
checkpoint was signed by the key inside it. Exit status: 0 verified, 1 tampering found, 2 a file
cannot be read.

It is also Interlink's one definition of the record digest, of the signed checkpoint body and of
the chain walk, so the node and the stand-alone check cannot drift apart.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GENESIS = "0" * 64
CHECKPOINT_FORMAT = "interlink-audit-checkpoint/1"
ALGORITHM = "Ed25519"
#: The fields of a record that its hash covers, besides the previous hash and the time.
RECORD_FIELDS = ("actor", "action", "object_type", "object_id", "before", "after")
#: The fields of a checkpoint that its signature covers (with ``format``).
CHECKPOINT_FIELDS = ("seq", "record_id", "hash", "count", "at", "key_fingerprint")


def record_digest(prev_hash: str, at: str, fields: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of a record: its previous hash, its UTC ISO 8601 time and its fields,
    as canonical JSON (sorted keys, no spaces)."""
    body = json.dumps(
        {"prev": prev_hash, "at": at, **{name: fields[name] for name in RECORD_FIELDS}},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Head:
    """The chain's head as a checkpoint saw it: the ``count``-th record, its id and hash."""

    record_id: int
    hash: str
    count: int
    label: str = "checkpoint"


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """The result of walking a chain: ``ok``, how many records, the first bad record's id."""

    ok: bool
    records: int
    first_bad_id: int | None = None
    reason: str = ""


def verify_chain(records: Iterable[Mapping[str, Any]], heads: Sequence[Head] = ()) -> ChainCheck:
    """Walk ``records`` (in chain order) and check every link, every hash, and that each of
    ``heads`` (signed checkpoints) is still the record at its position with its hash.

    A changed record, a deleted or inserted one, or two swapped, breaks a link or a hash: the
    record where it breaks is named. A chain rewritten whole (every hash recomputed) is
    consistent in itself but no longer holds a signed head: then the first record after the
    last head that still holds is named, the earliest one that can have been rewritten.
    """
    by_count: dict[int, list[Head]] = {}
    for head in heads:
        by_count.setdefault(head.count, []).append(head)
    prev = GENESIS
    count = 0
    proven_to = 0  # the position of the last signed head that still holds
    suspect: int | None = None  # the id of the first record after it
    for record in records:
        count += 1
        record_id = int(record["id"])
        if suspect is None:
            suspect = record_id
        if record["prev_hash"] != prev:
            return ChainCheck(False, count, record_id, "link to the previous record broken")
        if record_digest(prev, str(record["at"]), record) != record["hash"]:
            return ChainCheck(False, count, record_id, "record changed after it was written")
        for head in by_count.get(count, ()):
            if head.record_id != record_id or head.hash != record["hash"]:
                return ChainCheck(
                    False,
                    count,
                    suspect,
                    f"the chain was rewritten: {head.label} signed record {head.record_id} "
                    f"(#{head.count}) with hash {head.hash[:16]}..., which the chain no longer "
                    f"holds; records from {suspect} on cannot be proven unchanged",
                )
        if count in by_count:
            proven_to, suspect = count, None
        prev = str(record["hash"])
    missing = [head for head in heads if head.count > count]
    if missing:
        head = min(missing, key=lambda h: h.count)
        return ChainCheck(
            False,
            count,
            suspect if suspect is not None else head.record_id,
            f"records missing: {head.label} signed record {head.record_id} (#{head.count}) "
            f"but the chain ends at #{count}; records after #{proven_to} cannot be proven",
        )
    return ChainCheck(True, count)


def fingerprint(public_key: bytes) -> str:
    """The fingerprint of a raw Ed25519 public key: the SHA-256 of its 32 bytes, in hex."""
    return hashlib.sha256(public_key).hexdigest()


def checkpoint_body(checkpoint: Mapping[str, Any]) -> bytes:
    """The bytes a checkpoint's signature covers: its fields and the format, canonical JSON."""
    signed = {"format": CHECKPOINT_FORMAT, **{name: checkpoint[name] for name in CHECKPOINT_FIELDS}}
    return json.dumps(signed, sort_keys=True, separators=(",", ":")).encode()


def signature_problem(checkpoint: Mapping[str, Any], signature: str, public_key: bytes) -> str:
    """Why ``signature`` (hex) over ``checkpoint`` does not verify with ``public_key`` (raw
    Ed25519), or ``""`` when it does."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if checkpoint["key_fingerprint"] != fingerprint(public_key):
        return "it names another key than the one checking it"
    try:
        key = Ed25519PublicKey.from_public_bytes(public_key)
        key.verify(bytes.fromhex(signature), checkpoint_body(checkpoint))
    except (InvalidSignature, ValueError):
        return "its signature does not verify"
    return ""


def check_document(document: Mapping[str, Any]) -> tuple[Head, str]:
    """The signed head of an exported checkpoint document, and why it cannot be trusted
    (``""``: its signature verifies with the public key it carries)."""
    try:
        if document["format"] != CHECKPOINT_FORMAT or document["algorithm"] != ALGORITHM:
            return Head(0, GENESIS, 0), "not an Interlink audit checkpoint of a known format"
        checkpoint = document["checkpoint"]
        head = Head(
            int(checkpoint["record_id"]),
            str(checkpoint["hash"]),
            int(checkpoint["count"]),
            f"checkpoint {checkpoint['seq']}",
        )
        problem = signature_problem(
            checkpoint, str(document["signature"]), bytes.fromhex(document["public_key"])
        )
    except (KeyError, TypeError, ValueError) as exc:
        return Head(0, GENESIS, 0), f"the checkpoint file is malformed: {exc}"
    return head, problem


_LOG_FIELDS = {"id", "at", "prev_hash", "hash", *RECORD_FIELDS}


def read_log(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The records of an exported log (JSON Lines), blank lines skipped."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"line {number} is not JSON: {exc}") from None
        if not isinstance(record, dict) or not _LOG_FIELDS <= set(record):
            raise ValueError(f"line {number} is not an audit record")
        yield record


def verify_export(
    log: Iterable[str], document: Mapping[str, Any], expected_fingerprint: str | None = None
) -> tuple[ChainCheck, str]:
    """Check an exported log against an exported checkpoint; return the chain's result and
    the problem with the checkpoint itself (``""``: none)."""
    head, problem = check_document(document)
    if not problem and expected_fingerprint:
        found = document["checkpoint"]["key_fingerprint"]
        if found != expected_fingerprint.strip().lower():
            problem = f"the checkpoint was signed by key {found}, not the node's"
    heads = [head] if not problem else []
    return verify_chain(read_log(log), heads), problem


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: verify LOG against CHECKPOINT; print the outcome; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("log", type=Path, help="exported audit log (JSON Lines)")
    parser.add_argument("checkpoint", type=Path, help="exported signed checkpoint (JSON)")
    parser.add_argument("--fingerprint", help="the node key's fingerprint, learnt out of band")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    try:
        document = json.loads(args.checkpoint.read_text(encoding="utf-8"))
        with args.log.open(encoding="utf-8") as log:
            chain, problem = verify_export(log, document, args.fingerprint)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    ok = chain.ok and not problem
    outcome = {
        "ok": ok,
        "records": chain.records,
        "first_bad_id": chain.first_bad_id,
        "reason": chain.reason,
        "checkpoint_problem": problem,
        "key_fingerprint": document.get("checkpoint", {}).get("key_fingerprint"),
    }
    if args.json:
        print(json.dumps(outcome, indent=2))
    elif ok:
        print(f"verified: {chain.records} records; the signed head is in the chain unchanged")
    else:
        if problem:
            print(f"checkpoint cannot be trusted: {problem}")
        if not chain.ok:
            print(f"audit log broken at record {chain.first_bad_id}: {chain.reason}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
