"""How a Hamming segment cuts the 256 bits into chunks, one table per chunk.

A ``ChunkLayout`` lists the bit positions chunk by chunk (``order``). Chunk ``i`` is
``order[start_i : start_i + chunk_bits[i]]``; its key reads those bits most significant first,
and the key's top ``dir_bits[i]`` bits pick the table's directory bucket. Bit ``p`` is counted
from the left of the hex value (see ``interlink.index.codes``).

Real PDQ bits are correlated (neighbouring DCT coefficients move together), which makes a
chunk of adjacent bits take far fewer distinct values than its width suggests, and buckets
uneven. ``decorrelated_order`` spreads correlated bits across chunks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from interlink.index.codes import CODE_BITS, Codes

#: The widest chunk a table key holds.
MAX_CHUNK_BITS = 32


@dataclass(frozen=True, slots=True)
class ChunkLayout:
    """Chunks of the 256 bit positions, each with the width of its table's directory."""

    order: tuple[int, ...]
    chunk_bits: tuple[int, ...]
    dir_bits: tuple[int, ...]

    def __post_init__(self) -> None:
        if sorted(self.order) != list(range(CODE_BITS)):
            raise ValueError("order must list each of the 256 bit positions once")
        if len(self.chunk_bits) != len(self.dir_bits) or sum(self.chunk_bits) != CODE_BITS:
            raise ValueError("chunk widths must add up to 256, one directory width each")
        for width, directory in zip(self.chunk_bits, self.dir_bits, strict=True):
            if not 0 < width <= MAX_CHUNK_BITS or not 0 <= directory <= width:
                raise ValueError(f"bad chunk of {width} bits with a {directory}-bit directory")

    @property
    def tables(self) -> int:
        """How many chunks (and tables) there are."""
        return len(self.chunk_bits)

    def chunks(self) -> list[tuple[int, ...]]:
        """The bit positions of each chunk, key order."""
        out, start = [], 0
        for width in self.chunk_bits:
            out.append(self.order[start : start + width])
            start += width
        return out

    def key_luts(self) -> npt.NDArray[np.uint32]:
        """``(m, 32, 256)``: the key bits that byte ``j`` of a code, with value ``v``, sets in
        chunk ``i``'s key (a key is the OR over the 32 bytes)."""
        chunk_of = np.repeat(np.arange(self.tables), self.chunk_bits)
        positions = np.asarray(self.order, dtype=np.int64)
        starts = np.repeat(np.cumsum((0, *self.chunk_bits[:-1])), self.chunk_bits)
        key_bit = np.repeat(self.chunk_bits, self.chunk_bits) - 1 - (np.arange(CODE_BITS) - starts)
        values = np.arange(256, dtype=np.uint32)
        bits = (values[None, :] >> (7 - positions % 8)[:, None].astype(np.uint32)) & np.uint32(1)
        contributions = bits << key_bit[:, None].astype(np.uint32)
        luts = np.zeros((self.tables, 32, 256), dtype=np.uint32)
        np.bitwise_or.at(luts, (chunk_of, positions // 8), contributions)
        return luts

    def masks(self) -> npt.NDArray[np.uint64]:
        """``(m, 4)``: each chunk's bits as a mask over the code's words."""
        masks = np.zeros((self.tables, 4), dtype=np.uint64)
        for i, chunk in enumerate(self.chunks()):
            for position in chunk:
                masks[i, position // 64] |= np.uint64(1) << np.uint64(63 - position % 64)
        return masks


def chunk_widths(tables: int) -> tuple[int, ...]:
    """256 bits in ``tables`` near-equal chunks, wider ones first."""
    base, extra = divmod(CODE_BITS, tables)
    return tuple(base + 1 if i < extra else base for i in range(tables))


def code_bits(codes: Codes) -> npt.NDArray[np.uint8]:
    """``(n, 256)`` 0/1 matrix of the codes' bits, position ``p`` in column ``p``."""
    return np.unpackbits(codes.astype(">u8").view(np.uint8), axis=1)


def decorrelated_order(sample: Codes, widths: tuple[int, ...]) -> tuple[int, ...]:
    """A bit order whose chunks (of ``widths``) hold weakly correlated bits.

    Greedy: bits most correlated with the others are placed first, each into the chunk with
    room whose bits it correlates with least (squared correlation over ``sample``). Within a
    chunk, the most balanced bits come first, so they form the directory.
    """
    bits = code_bits(sample).astype(np.float64)
    if len(bits) < 2:
        return tuple(range(CODE_BITS))
    mean = bits.mean(axis=0)
    centred = bits - mean
    spread = np.sqrt((centred**2).mean(axis=0))
    spread[spread == 0] = 1.0
    corr = (centred.T @ centred) / len(bits) / np.outer(spread, spread)
    np.fill_diagonal(corr, 0.0)
    weight = corr**2
    chunks: list[list[int]] = [[] for _ in widths]
    capacity = np.asarray(widths)
    filled = np.zeros(len(widths), np.int64)
    load = np.zeros((len(widths), CODE_BITS))  # load[c, b]: sum of weight[b, members of c]
    for bit in np.argsort(-weight.sum(axis=1), kind="stable").tolist():
        room = np.flatnonzero(filled < capacity)
        # least correlated chunk first, then the emptiest, then the first
        best = int(room[np.lexsort((room, filled[room], load[room, bit]))[0]])
        chunks[best].append(bit)
        filled[best] += 1
        load[best] += weight[bit]
    balance = np.abs(mean - 0.5)
    return tuple(bit for chunk in chunks for bit in sorted(chunk, key=lambda b: (balance[b], b)))
