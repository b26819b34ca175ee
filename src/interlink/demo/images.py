"""Generated benign images: random scenes of shapes over smooth colour fields.

Every image is a pure function of its seed, so tests and benchmarks can regenerate the same
pixels anywhere. The scenes carry enough structure for PDQ qualities well above 50.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps


def scene(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A deterministic RGB scene: a smooth colour field with shapes and a little texture."""
    rng = np.random.default_rng(seed)
    width, height = size
    grid = rng.integers(0, 256, size=(4, 5, 3), dtype=np.uint8)
    image = Image.fromarray(grid, "RGB").resize((width, height), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(6, 14))):
        x0, x1 = sorted(int(v) for v in rng.integers(-width // 4, width * 5 // 4, size=2))
        y0, y1 = sorted(int(v) for v in rng.integers(-height // 4, height * 5 // 4, size=2))
        colour = tuple(int(c) for c in rng.integers(0, 256, size=3))
        shape = int(rng.integers(0, 3))
        if shape == 0:
            draw.ellipse((x0, y0, max(x1, x0 + 8), max(y1, y0 + 8)), fill=colour)
        elif shape == 1:
            draw.rectangle((x0, y0, max(x1, x0 + 8), max(y1, y0 + 8)), fill=colour)
        else:
            points = [(int(rng.integers(0, width)), int(rng.integers(0, height))) for _ in range(3)]
            draw.polygon(points, fill=colour)
    noise = rng.normal(0, 6, size=(height, width, 3))
    pixels = np.clip(np.asarray(image, dtype=np.float64) + noise, 0, 255).astype(np.uint8)
    return Image.fromarray(pixels, "RGB").filter(ImageFilter.SMOOTH)


def encode(image: Image.Image, fmt: str = "JPEG", **options: object) -> bytes:
    """``image`` encoded in ``fmt`` (``quality`` 90 by default for JPEG and WebP)."""
    buffer = io.BytesIO()
    if fmt in {"JPEG", "WEBP"}:
        options.setdefault("quality", 90)
    target = image.quantize(256, method=Image.Quantize.FASTOCTREE) if fmt == "GIF" else image
    target.save(buffer, fmt, **options)
    return buffer.getvalue()


#: Edits that keep an image perceptually the same (PDQ stays within its threshold). Crops are
#: not among them: PDQ moves past 31 bits on a 2% crop of these scenes.
TRANSFORMS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "mirror": ImageOps.mirror,
    "flip": ImageOps.flip,
    "rotate90": lambda im: im.transpose(Image.Transpose.ROTATE_90),
    "rotate180": lambda im: im.transpose(Image.Transpose.ROTATE_180),
    "half_size": lambda im: im.resize((im.width // 2, im.height // 2), Image.Resampling.LANCZOS),
    "brighter": lambda im: Image.eval(im, lambda v: min(255, int(v * 1.08) + 4)),
    "greyscale": lambda im: ImageOps.grayscale(im).convert("RGB"),
}
