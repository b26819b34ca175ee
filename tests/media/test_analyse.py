import hashlib
import io

from interlink.demo.images import encode, scene
from interlink.domain.media import MediaKind
from interlink.domain.problems import ProblemKind
from interlink.domain.provenance import SourceRef
from interlink.media.analyse import AnalysisOptions, analyse_stream

REF = SourceRef("E").child("folder", "x")


class Trickle(io.RawIOBase):
    """A stream that hands out at most a few bytes per read, as pipes and sockets may."""

    def __init__(self, data: bytes, step: int = 7) -> None:
        self._data = io.BytesIO(data)
        self._step = step

    def read(self, size: int = -1, /) -> bytes:
        return self._data.read(self._step if size < 0 else min(size, self._step))


def test_one_read_pass_hashes_and_analyses_even_a_trickling_stream() -> None:
    data = encode(scene(2), "JPEG")
    whole = analyse_stream(io.BytesIO(data), REF)
    trickled = analyse_stream(Trickle(data), REF)
    assert whole.sha256 == trickled.sha256 == hashlib.sha256(data).hexdigest()
    assert whole.md5 == hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert whole.kind is MediaKind.IMAGE and whole.image is not None
    assert trickled.image is not None and trickled.image.pdq == whole.image.pdq
    assert whole.size == trickled.size == len(data)


def test_large_files_are_hashed_whole_but_not_decoded_past_the_limit() -> None:
    data = encode(scene(3), "PNG")
    small_limit = AnalysisOptions(max_image_bytes=len(data) // 2)
    result = analyse_stream(io.BytesIO(data), REF, options=small_limit)
    assert result.image is None and result.sha256 == hashlib.sha256(data).hexdigest()
    assert [p.kind for p in result.problems] == [ProblemKind.UNSUPPORTED]
    blob = bytes(range(256)) * 20_000  # 5 MB of non-media, streamed in chunks
    other = analyse_stream(io.BytesIO(blob), REF)
    assert other.kind is MediaKind.OTHER and other.size == len(blob)
    assert other.sha1 == hashlib.sha1(blob, usedforsecurity=False).hexdigest()
    empty = analyse_stream(io.BytesIO(b""), REF)
    assert [p.kind for p in empty.problems] == [ProblemKind.EMPTY]
