"""Benchmark: importing chat exports, with identifier extraction and cue detection.

Generates, in a temporary folder, a Telegram Desktop whole-account ``result.json`` and a
WhatsApp Android ``.txt`` of ``--messages`` messages each (100 conversations; one message in
ten carries a phone number, an e-mail, a URL or an invite link, one in a hundred a cue), then
imports each with ``services.chats.import_chats`` into a fresh SQLite store, in a child
process of its own so that its peak memory (max RSS) is its own.

Rates are per CPU second of that process (``time.process_time``: the import runs on one core,
and the machine is shared, so wall time would measure the neighbours); the wall time is
reported beside. Two anchors run in the same run, each in its own process: plain parsing of
the same export, nothing built, extracted or stored (Telegram: ``ijson.items`` over the
messages with the C backend; WhatsApp: each line decoded and split by the Android header
pattern), whose ratio is printed; and Interlink's reader alone. Peak memory is measured at
``--messages`` and at a tenth of it: flat in the export size means the two are close.

    python -m bench.chats [--messages 1000000] [--formats telegram whatsapp] [--json]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import resource
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHATS = 100
FORMATS = ("telegram", "whatsapp")
WORDS = (
    "hey ok lol sure maybe tomorrow school game later good thanks what why when where home "
    "music homework weekend train film dinner tired funny really nice cool"
).split()
EXTRAS = (
    "call me on +44 7911 {n:06d}",
    "mail me at user{n}@example.org",
    "look at https://example.org/p/{n}",
    "join https://t.me/+Grp{n:08d}xy",
    "my number is 06 12 {a:02d} {b:02d} {c:02d}",
)
CUES = ("how old are you?", "don't tell anyone", "add me on snap", "send me a pic")


def _text(rng: random.Random, n: int) -> str:
    words = " ".join(rng.choices(WORDS, k=rng.randint(3, 12)))
    roll = rng.random()
    if roll < 0.1:
        extra = rng.choice(EXTRAS).format(n=n % 5000, a=n % 97, b=n % 89, c=n % 83)
        return f"{words} {extra}"
    if roll < 0.11:
        return f"{words} {rng.choice(CUES)}"
    return words


def write_telegram(path: Path, messages: int, seed: int = 1) -> None:
    """A whole-account ``result.json`` of ``messages`` messages in ``CHATS`` chats."""
    rng = random.Random(seed)
    per_chat = messages // CHATS
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '{"about": "bench", "personal_information": {"user_id": 1, "first_name": "Owner", '
        )
        out.write('"phone_number": "+44 7911 000001"}, "chats": {"about": "x", "list": [\n')
        for chat in range(CHATS):
            out.write(
                ("," if chat else "")
                + json.dumps({"name": f"chat {chat}", "type": "personal_chat", "id": 1000 + chat})[
                    :-1
                ]
            )
            out.write(', "messages": [\n')
            for i in range(per_chat):
                n = chat * per_chat + i
                sender = 1 if i % 2 else 1000 + chat
                message = {
                    "id": i + 1,
                    "type": "message",
                    "date": "2024-01-01T10:00:00",
                    "date_unixtime": str(1_704_103_200 + n),
                    "from": f"User {sender}",
                    "from_id": f"user{sender}",
                    "text": _text(rng, n),
                    "text_entities": [],
                }
                out.write(("," if i else "") + json.dumps(message) + "\n")
            out.write("]}")
        out.write("]}}\n")


def write_whatsapp(folder: Path, messages: int, seed: int = 2) -> None:
    """``CHATS`` Android ``.txt`` exports holding ``messages`` messages in all."""
    rng = random.Random(seed)
    per_chat = messages // CHATS
    for chat in range(CHATS):
        with (folder / f"WhatsApp Chat with Friend {chat}.txt").open("w", encoding="utf-8") as out:
            for i in range(per_chat):
                n = chat * per_chat + i
                minute = n % 1440
                day = 1 + (i * 28) // per_chat
                name = "Friend" if i % 2 else "Me"
                stamp = f"{day:02d}/01/2024, {minute // 60:02d}:{minute % 60:02d}"
                out.write(f"{stamp} - {name}: {_text(rng, n)}\n")


def _messages(items: Iterator[Any]) -> int:
    from interlink.domain.chats import Message

    return sum(1 for item in items if isinstance(item, Message))


def _plain(path: Path) -> int:
    """Messages in the export by plain parsing: the anchor."""
    if path.is_file():
        import ijson

        with path.open("rb") as stream:
            return sum(1 for _ in ijson.items(stream, "chats.list.item.messages.item"))
    import re

    header = re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4}, \d{1,2}:\d{2} - ([^:]*): (.*)$")
    count = 0
    for file in sorted(path.iterdir()):
        with file.open("rb") as stream:
            for raw in stream:
                if header.match(raw.decode("utf-8").rstrip("\r\n")):
                    count += 1
    return count


def _import(path: str, db: str, mode: str, queue: Any) -> None:
    from interlink.adapters.sql.store import SqlStore
    from interlink.chats import readers
    from interlink.chats.exports import Found, Root, find_exports
    from interlink.services.chats import import_chats

    started, wall = time.process_time(), time.perf_counter()
    if mode == "plain":
        count = _plain(Path(path))
    elif mode == "reader":
        count = 0
        with Root(Path(path)) as root:
            for found in find_exports(root):
                if isinstance(found, Found):
                    count += _messages(readers.read(found.format, found.file))
    else:
        store = SqlStore.open(db)
        started, wall = time.process_time(), time.perf_counter()
        result = import_chats(store, Path(path), case="BENCH", match_attachments=False)
        count = result.messages
        store.close()
    seconds, wall = time.process_time() - started, time.perf_counter() - wall
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((count, seconds, wall, peak))


def run_child(path: Path, db: str, mode: str) -> tuple[int, float, float, float]:
    """``(messages, CPU seconds, wall seconds, peak MB)`` of one import (``mode``
    ``import``), plain parse (``plain``) or reader pass (``reader``) in a fresh process."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_import, args=(str(path), db, mode, queue))
    process.start()
    found: tuple[int, float, float, float] = queue.get()
    process.join()
    return found


def measure(messages: int, folder: Path, formats: tuple[str, ...] = FORMATS) -> dict[str, Any]:
    """Every figure for exports of ``messages`` messages written under ``folder``."""
    paths: list[tuple[str, Path]] = []
    if "telegram" in formats:
        telegram = folder / "telegram" / "result.json"
        telegram.parent.mkdir()
        write_telegram(telegram, messages)
        paths.append(("telegram", telegram))
    if "whatsapp" in formats:
        whatsapp = folder / "whatsapp"
        whatsapp.mkdir()
        write_whatsapp(whatsapp, messages)
        paths.append(("whatsapp", whatsapp))
    out: dict[str, Any] = {}
    for name, path in paths:
        db = f"sqlite:///{folder / (name + '.db')}"
        count, seconds, wall, peak = run_child(path, db, "import")
        plain_count, plain_seconds, _, plain_peak = run_child(path, db, "plain")
        _, reader_seconds, _, _ = run_child(path, db, "reader")
        out[name] = {
            "messages": count,
            "seconds": round(seconds, 2),
            "wall_seconds": round(wall, 2),
            "messages_per_s": round(count / seconds),
            "messages_per_wall_s": round(count / wall),
            "peak_mb": round(peak, 1),
            "anchor_plain_parse_messages": plain_count,
            "anchor_plain_parse_messages_per_s": round(plain_count / plain_seconds),
            "anchor_plain_parse_peak_mb": round(plain_peak, 1),
            "ratio_to_plain_parse": round(seconds / plain_seconds, 2),
            "reader_only_messages_per_s": round(count / reader_seconds),
            "ratio_to_reader": round(seconds / reader_seconds, 2),
            "bytes": sum(p.stat().st_size for p in ([path] if path.is_file() else path.iterdir())),
        }
    return out


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print it (one JSON object with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    formats = tuple(args.formats)
    with tempfile.TemporaryDirectory(prefix="interlink-chats-bench-") as temp:
        root = Path(temp)
        (root / "full").mkdir()
        (root / "tenth").mkdir()
        full = measure(args.messages, root / "full", formats)
        tenth = measure(args.messages // 10, root / "tenth", formats)
    result = {
        "messages": args.messages,
        "messages_per_s": {name: row["messages_per_s"] for name, row in full.items()},
        "peak_mb": max(row["peak_mb"] for row in full.values()),
        "peak_mb_at_a_tenth": max(row["peak_mb"] for row in tenth.values()),
        "formats": full,
        "formats_at_a_tenth": tenth,
    }
    if args.json:
        print(json.dumps(result))
        return
    for name, row in full.items():
        print(
            f"{name}: {row['messages']} messages in {row['seconds']} CPU s "
            f"({row['wall_seconds']} s wall) = {row['messages_per_s']}/s per core; plain parse "
            f"{row['anchor_plain_parse_messages_per_s']}/s (x{row['ratio_to_plain_parse']}), "
            f"reader alone {row['reader_only_messages_per_s']}/s (x{row['ratio_to_reader']}); "
            f"peak {row['peak_mb']} MB (a tenth: {tenth[name]['peak_mb']} MB)"
        )


if __name__ == "__main__":
    main()
