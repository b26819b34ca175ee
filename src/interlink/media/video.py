"""Video analysis: sample frames, hash them with PDQ (a vPDQ feature list), and draw a contact
sheet. Evidence is opened read-only and streamed: a file of any size is never held in memory.

Frames are chosen as Meta's vPDQ does: frame ``k`` (in presentation order, from 0) is sampled
when ``k % int(every_seconds * fps) == 0``. To avoid decoding what is not sampled, packets are
demuxed one group of pictures (keyframe to keyframe) at a time: a group with no sampled frame
is never decoded, and decoding a group stops at its last sampled frame. Sampled frames are
shrunk by a whole factor to a longest side of at least ``hash_size`` before PDQ
(``hash_factor``; ``None`` hashes the full frame, exactly as Meta's reference does; see
``docs/benchmarks/video.md`` for the agreement).

A stream that breaks midway gives the frames decoded so far plus an issue (warnings as data);
a file with nothing decodable raises ``DecodeError`` (``UnsupportedMediaError`` when there is
no video stream or no decoder for it).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TypeAlias

import av
import av.error
import numpy as np
from av.container import InputContainer
from av.packet import Packet
from av.stream import Disposition
from av.video.frame import VideoFrame
from av.video.stream import VideoStream
from PIL import Image

from interlink.domain.errors import (
    DecodeError,
    MediaError,
    PixelLimitError,
    UnsupportedMediaError,
)
from interlink.domain.problems import Problem, ProblemKind
from interlink.domain.provenance import SourceRef
from interlink.media.contact_sheet import MAX_TILES, SheetSampler, make_sheet
from interlink.signals.pdq import hash_rgb
from interlink.signals.vpdq import TIMESTAMP_PLACES, VpdqFeature

#: A sampled frame's hash: frame number, PDQ, quality and time (the vPDQ feature).
FrameHash = VpdqFeature

#: Default smallest longest side (pixels) frames are shrunk to before PDQ.
HASH_SIZE = 640
#: Most issues kept per video (a badly broken stream would otherwise give one per packet).
MAX_ISSUES = 20


@dataclass(frozen=True, slots=True)
class VideoLimits:
    """Safety limits for one video.

    ``max_pixels`` refuses frames over that size (a decoder bomb); ``timeout`` is wall-clock
    seconds for the whole analysis; sampling stops after ``max_seconds`` of content or
    ``max_samples`` frames; a group of pictures is buffered up to ``max_gop_bytes`` of
    compressed data, after which it is decoded as it streams in.
    """

    max_pixels: int = 8192 * 4320
    timeout: float = 1800.0
    max_seconds: float = 12 * 3600.0
    max_samples: int = 50_000
    max_gop_bytes: int = 256 << 20


@dataclass(frozen=True, slots=True)
class VideoIssue:
    """Trouble with part of a video, ``at`` seconds in when known."""

    kind: ProblemKind
    message: str
    at: float | None = None


@dataclass(frozen=True, slots=True)
class VideoAnalysis:
    """What one video gave: its container and stream properties, the sampled frame hashes
    (a vPDQ feature list), a clear contact-sheet JPEG (empty when no frame decoded; show it
    through ``media.contact_sheet.wellness_sheet``), any issues, and the container's and
    video stream's metadata tags (``stream:`` prefixed; read clues from them with
    ``media.video_clues.clues_from_tags``)."""

    container: str
    codec: str
    width: int
    height: int
    fps: float
    duration: float | None
    frames_seen: int
    every_seconds: float
    hash_size: int | None
    frames: tuple[FrameHash, ...]
    contact_sheet: bytes
    issues: tuple[VideoIssue, ...] = field(default=())
    metadata: tuple[tuple[str, str], ...] = field(default=())

    @property
    def complete(self) -> bool:
        """Whether the whole stream was read and sampled without trouble."""
        return not self.issues


def analyse_video(
    source: Path | BinaryIO,
    *,
    every_seconds: float = 1.0,
    hash_size: int | None = HASH_SIZE,
    limits: VideoLimits = VideoLimits(),
    sheet_tiles: int = MAX_TILES,
    threads: int = 1,
) -> VideoAnalysis:
    """Sample, hash and summarise the first video stream of ``source`` (a path, or a readable
    binary stream, seekable or not). ``threads`` is the decoder's thread count (0: as many as
    cores). Raise ``DecodeError`` when nothing can be decoded, ``UnsupportedMediaError`` when
    there is no decodable video stream, ``PixelLimitError`` for frames over the limit."""
    if every_seconds <= 0:
        raise ValueError("every_seconds must be positive")
    started = time.monotonic()
    try:
        container = av.open(
            str(source) if isinstance(source, Path) else source, "r", metadata_errors="replace"
        )
    except av.error.FFmpegError as exc:
        raise DecodeError(f"not a readable video: {exc.strerror or exc}") from exc
    with container:
        stream = _video_stream(container)
        width, height = stream.codec_context.width, stream.codec_context.height
        if width * height > limits.max_pixels:
            raise PixelLimitError(width * height, limits.max_pixels)
        stream.codec_context.thread_count = threads
        sampler = _Sampler(stream, every_seconds, hash_size, limits, started, sheet_tiles)
        sampler.run(container)
        metadata = tuple(sorted(container.metadata.items())) + tuple(
            sorted((f"stream:{k}", v) for k, v in stream.metadata.items())
        )
    if not sampler.features:
        reason = "; ".join(issue.message for issue in sampler.issues) or "no frame decoded"
        raise DecodeError(f"no frame could be decoded: {reason}")
    return VideoAnalysis(
        container=container.format.name,
        codec=stream.codec_context.name,
        width=width,
        height=height,
        fps=sampler.fps,
        duration=sampler.duration,
        frames_seen=sampler.frames_seen,
        every_seconds=every_seconds,
        hash_size=hash_size,
        frames=tuple(sorted(sampler.features)),
        contact_sheet=make_sheet(sampler.sheet.tiles()),
        issues=tuple(sampler.issues),
        metadata=metadata,
    )


def hash_factor(width: int, height: int, hash_size: int | None) -> int:
    """The whole factor a frame is shrunk by before PDQ: the largest that keeps its longest
    side at least ``hash_size`` (1 when ``hash_size`` is ``None``). A whole factor keeps PDQ's
    own box filter in step with the full frame's (1920x1080 becomes 640x360)."""
    if not hash_size:
        return 1
    return max(1, max(width, height) // hash_size)


def _video_stream(container: InputContainer) -> VideoStream:
    for stream in container.streams.video:
        if stream.disposition & Disposition.attached_pic:
            continue  # cover art, not the video
        try:
            if stream.codec_context is None or stream.codec_context.codec is None:
                raise UnsupportedMediaError("no decoder for the video stream")
        except av.error.FFmpegError as exc:
            raise UnsupportedMediaError(f"no decoder for the video stream: {exc}") from exc
        return stream
    raise UnsupportedMediaError("no video stream")


def _rate(stream: VideoStream) -> float | None:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate and 0 < float(rate) <= 1000:
            return float(rate)
    return None


_Group: TypeAlias = "list[Packet[VideoStream]]"


class _Sampler:
    """One pass over the packets of one stream, decoding only groups with sampled frames."""

    def __init__(
        self,
        stream: VideoStream,
        every_seconds: float,
        hash_size: int | None,
        limits: VideoLimits,
        started: float,
        sheet_tiles: int,
    ) -> None:
        self.stream = stream
        self.codec = stream.codec_context
        self.limits = limits
        self.hash_size = hash_size
        self.started = started
        self.issues: list[VideoIssue] = []
        self.features: list[FrameHash] = []
        self.sheet = SheetSampler(sheet_tiles)
        rate = _rate(stream)
        if rate is None:
            rate = 25.0
            self._issue(ProblemKind.CORRUPT, "no frame rate declared; assumed 25 per second")
        self.fps = rate
        self.step = max(1, int(every_seconds * rate))
        self.time_base = float(stream.time_base) if stream.time_base else 1 / rate
        self.start = (stream.start_time or 0) * self.time_base
        self.duration = self._declared_duration()
        self.frames_seen = 0
        self.last_time = 0.0
        self._dirty = False  # the decoder holds state from a group not fully decoded
        self._pending: dict[int, int] = {}  # pts -> frame number still to be decoded
        self._stopped = False
        self._errors = 0
        self._error_text = ""
        self._error_at: float | None = None

    def _declared_duration(self) -> float | None:
        if self.stream.duration is not None and self.stream.time_base:
            return float(self.stream.duration * self.stream.time_base)
        container = self.stream.container
        if isinstance(container, InputContainer) and container.duration:
            return container.duration / 1_000_000
        return None

    def _issue(self, kind: ProblemKind, message: str, at: float | None = None) -> None:
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(VideoIssue(kind, message, None if at is None else round(at, 3)))

    # --- demuxing ----------------------------------------------------------------------------

    def run(self, container: InputContainer) -> None:
        for group, ends_group in self._groups(container):
            self._decode_group(group, ends_group)
            if self._stopped:
                break
        else:
            self._finish()

    def _groups(self, container: InputContainer) -> Iterator[tuple[_Group, bool]]:
        """Groups of packets from one keyframe to the next; a group over the byte cap is
        given in pieces (``False``: the group goes on in the next piece)."""
        group: _Group = []
        size = 0
        try:
            for packet in container.demux(self.stream):
                if packet.size == 0 and packet.dts is None:
                    continue  # the demuxer's end-of-stream marker
                if self._over_limits(packet):
                    break
                if packet.is_keyframe and group:
                    yield group, True
                    group, size = [], 0
                group.append(packet)
                size += packet.size
                if size > self.limits.max_gop_bytes:
                    yield group, False
                    group, size = [], 0
        except (av.error.FFmpegError, EOFError, OSError) as exc:
            self._issue(
                ProblemKind.TRUNCATED if isinstance(exc, EOFError) else ProblemKind.CORRUPT,
                f"reading stopped: {exc}",
                self.last_time,
            )
        if group:
            yield group, True

    def _over_limits(self, packet: Packet[VideoStream]) -> bool:
        if time.monotonic() - self.started > self.limits.timeout:
            self._issue(ProblemKind.TIMEOUT, f"stopped after {self.limits.timeout:.0f} s")
        elif self.last_time > self.limits.max_seconds:
            self._issue(
                ProblemKind.TIMEOUT, f"stopped after {self.limits.max_seconds:.0f} s of video"
            )
        elif len(self.features) >= self.limits.max_samples:
            self._issue(ProblemKind.TIMEOUT, f"stopped after {self.limits.max_samples} frames")
        else:
            if packet.pts is not None:
                self.last_time = max(self.last_time, packet.pts * self.time_base - self.start)
            return False
        self._stopped = True
        return True

    # --- decoding ----------------------------------------------------------------------------

    def _decode_group(self, group: _Group, ends_group: bool) -> None:
        counted = [p for p in group if not p.is_discard]
        stamps = sorted(p.pts for p in counted if p.pts is not None)
        first = self.frames_seen
        self.frames_seen += len(counted)
        if len(stamps) == len(counted):
            self._pending.update(
                {pts: first + r for r, pts in enumerate(stamps) if (first + r) % self.step == 0}
            )
        else:
            # Without presentation times, frames are numbered as the decoder gives them out.
            self._pending.update({-1 - first - r: first + r for r in range(len(counted))})
        if not self._pending:
            self._dirty = True
            return
        if self._dirty:
            self.codec.flush_buffers()
            self._dirty = False
        numbered_by_order = any(key < 0 for key in self._pending)
        for packet in group:
            if not numbered_by_order:
                # Frames no other frame refers to need decoding only when they are sampled.
                self.codec.skip_frame = "DEFAULT" if packet.pts in self._pending else "NONREF"
            self._take(self._decode(packet), numbered_by_order)
            if not self._pending:
                self._dirty = True
                break
        else:
            if ends_group:
                self._take(self._decode(None), numbered_by_order)
                self._pending.clear()
                self._dirty = True
        self._report_errors()

    def _decode(self, packet: Packet[VideoStream] | None) -> list[VideoFrame]:
        try:
            return self.codec.decode(packet)
        except av.error.FFmpegError as exc:
            if not self._errors:
                self._error_text = str(exc.strerror or exc)
                if packet is not None and packet.pts is not None:
                    self._error_at = packet.pts * self.time_base - self.start
            self._errors += 1
            return []

    def _report_errors(self) -> None:
        """One issue for the undecodable packets of a group (not one per packet)."""
        if self._errors:
            self._issue(
                ProblemKind.CORRUPT,
                f"{self._errors} undecodable packet(s): {self._error_text}",
                self._error_at,
            )
            self._errors, self._error_at = 0, None

    def _take(self, frames: list[VideoFrame], numbered_by_order: bool) -> None:
        for frame in frames:
            if numbered_by_order:
                key = min(self._pending, key=lambda k: self._pending[k])
            elif frame.pts in self._pending:
                key = frame.pts
            else:
                continue
            number = self._pending.pop(key)
            if number % self.step == 0:
                self._hash(frame, number)
            if not self._pending:
                return

    def _hash(self, frame: VideoFrame, number: int) -> None:
        if len(self.features) >= self.limits.max_samples:
            return
        if frame.width * frame.height > self.limits.max_pixels:
            raise PixelLimitError(frame.width * frame.height, self.limits.max_pixels)
        width, height = frame.width, frame.height
        factor = hash_factor(width, height, self.hash_size)
        width, height = max(1, width // factor), max(1, height // factor)
        scaled = frame.reformat(width=width, height=height, format="rgb24", interpolation="AREA")
        rgb = np.asarray(scaled.to_ndarray(), dtype=np.uint8)
        pdq = hash_rgb(rgb)
        seconds = frame.time - self.start if frame.time is not None else number / self.fps
        seconds = round(max(0.0, seconds), TIMESTAMP_PLACES)
        self.features.append(VpdqFeature(number, pdq.value, pdq.quality, seconds))
        if frame.is_corrupt:
            self._issue(ProblemKind.CORRUPT, "a sampled frame was damaged", seconds)
        if self.sheet.wants():
            self.sheet.offer(seconds, Image.fromarray(rgb))
        else:
            self.sheet.skip()

    def _finish(self) -> None:
        if self.duration is None or not self.features:
            return
        slack = max(1.0, 2 * self.step / self.fps)
        if self.last_time + slack < self.duration:
            self._issue(
                ProblemKind.TRUNCATED,
                f"stream ends at {self.last_time:.1f} s of a declared {self.duration:.1f} s",
                self.last_time,
            )


def issue_problems(analysis: VideoAnalysis, ref: SourceRef) -> tuple[Problem, ...]:
    """The analysis's issues as problems of the copy at ``ref``."""
    return tuple(
        Problem(
            ref,
            issue.kind,
            issue.message if issue.at is None else f"{issue.message} (at {issue.at:.3f} s)",
        )
        for issue in analysis.issues
    )


def error_problem(error: MediaError, ref: SourceRef) -> Problem:
    """The problem to record when ``analyse_video`` raised ``error`` for the copy at ``ref``."""
    if isinstance(error, UnsupportedMediaError):
        kind = ProblemKind.UNSUPPORTED
    elif isinstance(error, PixelLimitError):
        kind = ProblemKind.DECOMPRESSION_BOMB
    else:
        kind = ProblemKind.CORRUPT
    return Problem(ref, kind, str(error))
