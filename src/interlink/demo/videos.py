"""Benign generated videos for the demo, the tests and the benchmarks: smooth random colour
fields that morph from one second to the next, with a moving square. Nothing is downloaded;
every video is made here."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
from av.video.stream import VideoStream
from PIL import Image

#: Seconds over which one random field morphs into the next.
PERIOD = 4


def keyframes(seconds: int, seed: int) -> list[npt.NDArray[np.float32]]:
    """One 8 x 6 random colour field every ``PERIOD`` seconds (plus one to morph into)."""
    rng = np.random.default_rng(seed)
    count = seconds // PERIOD + 2
    return [rng.uniform(0, 255, (6, 8, 3)).astype(np.float32) for _ in range(count)]


def frame_at(
    fields: list[npt.NDArray[np.float32]], t: float, width: int, height: int
) -> npt.NDArray[np.uint8]:
    """The RGB picture at ``t`` seconds: the fields around ``t`` blended, scaled up smoothly,
    with a bright square sweeping across."""
    n = min(int(t // PERIOD), len(fields) - 2)
    alpha = t / PERIOD - n
    small = (1 - alpha) * fields[n] + alpha * fields[n + 1]
    image = Image.fromarray(small.astype(np.uint8)).resize(
        (width, height), Image.Resampling.BICUBIC
    )
    rgb = np.asarray(image).copy()
    size = max(4, height // 5)
    x = int((width - size) * ((t * 0.09) % 1.0))
    y = int((height - size) * ((t * 0.06) % 1.0))
    rgb[y : y + size, x : x + size] = (250, 250, 240)
    return rgb


def frames(
    seconds: float, seed: int, width: int, height: int, fps: int, start: float = 0.0
) -> Iterator[npt.NDArray[np.uint8]]:
    """Every frame from ``start`` for ``seconds`` seconds."""
    fields = keyframes(int(start + seconds) + 1, seed)
    for k in range(round(seconds * fps)):
        yield frame_at(fields, start + k / fps, width, height)


def write_video(
    path: Path,
    pictures: Iterator[npt.NDArray[np.uint8]],
    *,
    fps: int = 30,
    codec: str = "libx264",
    options: dict[str, str] | None = None,
    container_format: str | None = None,
) -> Path:
    """Encode ``pictures`` (RGB arrays of one size) into ``path``."""
    with av.open(str(path), "w", format=container_format) as out:
        stream = out.add_stream(codec, rate=Fraction(fps))
        if not isinstance(stream, VideoStream):
            raise TypeError(f"{codec} is not a video codec")
        first = True
        for rgb in pictures:
            if first:
                stream.height, stream.width = rgb.shape[:2]
                stream.pix_fmt = "yuv420p"
                stream.options = dict(options or {"preset": "ultrafast", "g": str(fps)})
                first = False
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def make_video(
    path: Path,
    *,
    seconds: float = 6.0,
    seed: int = 1,
    size: tuple[int, int] = (320, 180),
    fps: int = 30,
    start: float = 0.0,
    codec: str = "libx264",
    options: dict[str, str] | None = None,
) -> Path:
    """A generated video of ``seconds`` seconds from ``start`` of the sequence ``seed``."""
    width, height = size
    return write_video(
        path,
        frames(seconds, seed, width, height, fps, start),
        fps=fps,
        codec=codec,
        options=options,
    )
