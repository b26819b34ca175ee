"""The Hamming index of stored media PDQs that case linking searches, kept on disk and brought
up to date incrementally, as the known lists' indexes are.

Without it every scan read every stored PDQ and built an index of them (``cases.scan_evidence``
without a cache): fine for thousands of media, minutes at a national store's hundred million.
Here the index lives under the data folder (``INTERLINK_HOME/indexes/media-pdq/<store>``): a
``HammingIndex`` (whose segments are written once and merged log-structured style, so a save
writes only what is new) and, beside it, the signal row id and the SHA-256 of every indexed row
in two append-only files. ``STATE.json`` says how many rows they hold and up to which signal
row id the store has been read (the watermark). Media are never deleted from the store, so
bringing the index up to date is reading the PDQ rows above the watermark and adding them.

The watermark is only ever moved to a *settled* id (``LinkRepository.settled_signal_id``): on
PostgreSQL ids are taken in order but committed in any order, so reading up to the largest id
committed could skip a row of a transaction still open. A state that does not fit the store
(another database at the same URL, a crash between the files) is rebuilt from scratch. One
process updates a store's index at a time (a file lock); it is opened memory-mapped.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import IndexCorruptError
from interlink.index.hamming import HammingIndex
from interlink.signals import pdq

FORMAT = "interlink-media-pdq/1"
_STATE = "STATE.json"
_IDS = "ids.bin"
_SHAS = "shas.bin"
_INDEX = "hamming"
#: PDQ rows added to the index at a time while catching up.
_CHUNK = 100_000


class ShaOf(Mapping[int, str]):
    """Signal row id -> media SHA-256 over the sorted id and digest arrays."""

    def __init__(self, ids: npt.NDArray[np.int64], shas: npt.NDArray[np.uint8]) -> None:
        self._ids = ids
        self._shas = shas

    def __getitem__(self, key: int) -> str:
        at = int(np.searchsorted(self._ids, key))
        if at >= len(self._ids) or int(self._ids[at]) != key:
            raise KeyError(key)
        return bytes(self._shas[at]).hex()

    def __iter__(self) -> Iterator[int]:
        return (int(i) for i in self._ids)

    def __len__(self) -> int:
        return len(self._ids)


@dataclass(frozen=True, slots=True)
class MediaPdqIndex:
    """The index and the media of each of its ids, as of signal row id ``watermark``."""

    index: HammingIndex
    media_of: ShaOf
    watermark: int


def store_directory(store: SqlStore, cache: Path) -> Path:
    """Where the index of ``store`` lives under ``cache`` (one directory per store URL)."""
    url = store.engine.url.render_as_string(hide_password=True)
    return cache / "media-pdq" / hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "LOCK", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _read_state(directory: Path) -> dict[str, object] | None:
    try:
        state = json.loads((directory / _STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and state.get("format") == FORMAT else None


def _write_state(directory: Path, rows: int, watermark: int, last_sha: str | None) -> None:
    state = {"format": FORMAT, "rows": rows, "watermark": watermark, "last_sha": last_sha}
    temporary = directory / "STATE.json.new"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(state, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, directory / _STATE)


def _arrays(directory: Path, rows: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]:
    if rows == 0:
        return np.empty(0, np.int64), np.empty((0, 32), np.uint8)
    ids = np.memmap(directory / _IDS, dtype="<i8", mode="r", shape=(rows,))
    shas = np.memmap(directory / _SHAS, dtype=np.uint8, mode="r", shape=(rows, 32))
    return np.asarray(ids, dtype=np.int64), np.asarray(shas)


def _opened(store: SqlStore, directory: Path, settled: int) -> tuple[HammingIndex, int, int]:
    """The saved index with its row count and watermark, if the saved state fits the store
    and its files; else an empty directory and a new index."""
    state = _read_state(directory)
    if state is not None:
        rows, watermark = int(str(state["rows"])), int(str(state["watermark"]))
        last = state.get("last_sha")
        try:
            index = HammingIndex.load(directory / _INDEX) if rows else HammingIndex()
            fits = (
                len(index) == rows
                and watermark <= settled
                and (directory / _IDS).stat().st_size >= rows * 8
                and (directory / _SHAS).stat().st_size >= rows * 32
            )
            if fits and rows:
                ids, _ = _arrays(directory, rows)
                fits = store.links.signal_media(int(ids[-1])) == last
        except (IndexCorruptError, OSError, ValueError):
            fits = False
        if fits:
            for name, width in ((_IDS, 8), (_SHAS, 32)):  # drop an append a crash left
                os.truncate(directory / name, rows * width)
            return index, rows, watermark
    for entry in directory.iterdir():
        if entry.name != "LOCK":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    (directory / _IDS).touch()
    (directory / _SHAS).touch()
    return HammingIndex(), 0, 0


def _usable(quality: int | None) -> bool:
    return quality is None or quality >= pdq.MIN_QUALITY


def _catch_up(
    store: SqlStore, directory: Path, index: HammingIndex, after: int, upto: int
) -> tuple[int, str | None]:
    """Add the usable PDQ rows in (``after``, ``upto``] to the index and the id and digest
    files; return how many rows were added and the last one's media."""
    added, last = 0, None
    ids: list[int] = []
    values: list[str] = []
    shas: list[str] = []

    def flush() -> None:
        if not ids:
            return
        index.add(values, ids)
        with open(directory / _IDS, "ab") as handle:
            handle.write(np.asarray(ids, dtype="<i8").tobytes())
        with open(directory / _SHAS, "ab") as handle:
            handle.write(bytes.fromhex("".join(shas)))
        ids.clear()
        values.clear()
        shas.clear()

    for ident, sha, value, quality in store.links.pdqs_between(after, upto):
        if _usable(quality):
            ids.append(ident)
            values.append(value)
            shas.append(sha)
            added, last = added + 1, sha
            if len(ids) >= _CHUNK:
                flush()
    flush()
    return added, last


def media_pdq_index(store: SqlStore, cache: Path) -> MediaPdqIndex:
    """The index of every stored media PDQ of usable quality (ids: signal row ids), opened
    from ``cache`` and brought up to date with the store (saved again when anything was new).
    """
    directory = store_directory(store, cache)
    with _locked(directory):
        settled = store.links.settled_signal_id()
        index, rows, watermark = _opened(store, directory, settled)
        if settled > watermark or rows == 0:
            state = _read_state(directory)
            last = state.get("last_sha") if state is not None and rows else None
            added, newest = _catch_up(store, directory, index, watermark, settled)
            rows += added
            if added:
                index.save(directory / _INDEX)
            _write_state(directory, rows, settled, newest if added else _str(last))
        ids, shas = _arrays(directory, rows)
    return MediaPdqIndex(index, ShaOf(ids, shas), settled)


def _str(value: object) -> str | None:
    return None if value is None else str(value)
