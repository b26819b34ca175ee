import hashlib
import io
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from interlink.media.synthetic import GENERATORS, photo_like, shapes, text_like
from interlink.signals.pdq import (
    DIHEDRAL_NAMES,
    THRESHOLD,
    PdqHash,
    compare,
    hash_luma,
    hash_reduced,
    hash_rgb,
    reference_hash,
)

RgbArray = npt.NDArray[np.uint8]

# Known answers: Meta's reference (pdqhash) on generated images. The pixel digest tells a change
# of generator from a change of hash.
KNOWN_ANSWERS = [
    ("gradient", 240, 320, 0, "92544edb77a923ac", 100,
     "fa95003ffa95003faa95003faa95003faa95003f556affc0003f55fa556affd2"),
    ("gradient", 333, 257, 1, "b9e94a69f0348501", 40,
     "dd27dfd2b527ffd255277fd25527f7d20527ddd2012775d2012555820007006d"),
    ("shapes", 240, 320, 2, "d7f63657fc0a3b97", 100,
     "e81e9b7ed215cabc0d2ab071d2d8850e952527f00d12dae4daf9680b2db1dfe9"),
    ("shapes", 200, 300, 3, "70b7957c7d50e30f", 87,
     "402f2b113dd0ad4ea52b31bb10fdfe476f53210a39ec9de0b4a5791d784e0ed2"),
    ("texture", 256, 256, 4, "f824a3d34b7d04ee", 100,
     "bff79555bfd79555bff79555c0006aaacaa26aaac0026aaaf0026aaaf0126aaa"),
    ("texture", 97, 411, 5, "8d9ec4510f243194", 100,
     "aa093d535109fff0aa092bf47f5955745019400b03e6aa8bbaa97ffc5556aaac"),
    ("text_like", 300, 240, 6, "c3d430faf03748fe", 100,
     "2f546edf57049225ec810cbf307f6c1f254d9bd59151f3f84c1016bf5402d76a"),
    ("text_like", 128, 512, 7, "2121666d1dc71306", 100,
     "007cba4b6b91b2bc5c44053cffe981555786d54c6129eeedc4d7b152f65dc822"),
    ("photo_like", 240, 320, 8, "c68b7f4c9fec8431", 100,
     "27f1758d59437005c56545ad0fb7d950432d85eac2dcece52bc7d24dbe1232e2"),
    ("photo_like", 333, 257, 9, "3744988dc09b284c", 100,
     "fe256a96c13d268666bce556e953936df09a7d71973a0b04f78a1e098011cafa"),
    ("photo_like", 64, 64, 10, "2c91519482ba4ce9", 100,
     "7bd1e10d5134ebb9a6c729954686955a05c3ad6f10421a04868edeb67b78fbf8"),
    ("shapes", 5, 9, 11, "c3d91fca103dd55e", 70,
     "2e166633d1e999ccb625485ba637b5a449da76232e164633d1e999dcb6254a5b"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "height", "width", "seed", "pixels", "quality", "value"),
                         KNOWN_ANSWERS)  # fmt: skip
def test_known_answers(
    name: str, height: int, width: int, seed: int, pixels: str, quality: int, value: str
) -> None:
    rgb = GENERATORS[name](height, width, seed)
    assert hashlib.sha256(rgb.tobytes()).hexdigest()[:16] == pixels
    for computed in (reference_hash(rgb), hash_rgb(rgb)):
        assert (computed.value, computed.quality) == (value, quality)


def _generated_set() -> list[RgbArray]:
    sizes = [(7, 40), (64, 64), (65, 63), (127, 129), (200, 150), (311, 97), (520, 380)]
    images = [
        generator(height, width, seed)
        for seed, (height, width) in enumerate(sizes)
        for generator in GENERATORS.values()
    ]
    rng = np.random.default_rng(7)
    images += [rng.integers(0, 256, (h, w, 3), dtype=np.uint8) for h, w in [(9, 1000), (300, 7)]]
    return images


def test_pipeline_reproduces_the_reference_and_its_dihedral_variants() -> None:
    for rgb in _generated_set():
        ours = hash_rgb(rgb)
        reference = reference_hash(rgb)
        assert ours.quality == reference.quality
        assert ours.dihedral == reference.dihedral
        assert ours.value == ours.dihedral[0]
        assert len(ours.dihedral) == len(DIHEDRAL_NAMES)


def test_degenerate_images_agree_on_quality() -> None:
    # A flat image leaves every DCT coefficient at zero but for float noise, which decides the
    # bits, in the reference as in ours; only the quality is meaningful.
    for height, width in [(5, 5), (6, 300), (480, 640)]:
        rgb = np.full((height, width, 3), 200, dtype=np.uint8)
        assert hash_rgb(rgb).quality == reference_hash(rgb).quality == 0


def test_images_too_small_to_hash_get_zero_hash_and_quality() -> None:
    rgb = photo_like(4, 100, 1)
    for computed in (hash_rgb(rgb), reference_hash(rgb)):
        assert computed.value == "0" * 64
        assert computed.quality == 0
        assert not computed.matchable


def test_wrong_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="RGB"):
        hash_rgb(np.zeros((10, 10), dtype=np.uint8))
    with pytest.raises(ValueError, match="reduced"):
        hash_reduced(np.zeros((50, 50), dtype=np.float32), scale=2, full_size=(200, 200))


def _luma(rgb: RgbArray) -> npt.NDArray[np.float32]:
    return rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)


def test_full_luma_hashes_like_rgb() -> None:
    rgb = photo_like(90, 120, 2)
    assert hash_luma(_luma(rgb)) == hash_rgb(rgb)


def test_reduced_luma_approximates_the_full_hash() -> None:
    rgb = photo_like(900, 1200, 3)
    halved = _luma(rgb).reshape(450, 2, 600, 2).mean(axis=(1, 3))
    reduced = hash_reduced(halved, scale=2, full_size=(900, 1200))
    assert reduced is not None
    assert compare(reduced.value, hash_rgb(rgb).value) <= 8
    assert reduced.quality == hash_rgb(rgb).quality


def test_reduced_luma_of_a_noise_decided_hash_is_refused() -> None:
    flat = np.full((450, 600), 90.0, dtype=np.float32)
    assert hash_reduced(flat, scale=2, full_size=(900, 1200)) is None
    tiny = np.zeros((2, 3), dtype=np.float32)
    assert hash_reduced(tiny, scale=2, full_size=(4, 6)) == hash_luma(np.zeros((4, 6), np.float32))


def test_variant_lookup_and_matchability() -> None:
    computed = hash_rgb(shapes(120, 160, 1))
    assert computed.variant("original") == computed.value
    assert computed.variant("flip_minus1") == computed.dihedral[7]
    assert computed.matchable
    assert not PdqHash(computed.value, 49).matchable
    with pytest.raises(LookupError):
        PdqHash(computed.value, 80).variant("rotate90")


TRANSFORMS: dict[str, Callable[[RgbArray], RgbArray]] = {
    "rotate90": lambda a: np.rot90(a, 1),
    "rotate180": lambda a: np.rot90(a, 2),
    "rotate270": lambda a: np.rot90(a, 3),
    "flip_x": lambda a: a[::-1],
    "flip_y": lambda a: a[:, ::-1],
    "flip_plus1": lambda a: a.transpose(1, 0, 2),
    "flip_minus1": lambda a: np.rot90(a, 2).transpose(1, 0, 2),
}


SUBJECTS: list[Callable[[int], RgbArray]] = [
    lambda seed: photo_like(480, 640, seed),
    lambda seed: shapes(640, 480, seed),
    lambda seed: text_like(600, 450, seed),
]


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_dihedral_variant_is_the_hash_of_the_transformed_image(name: str) -> None:
    for seed, subject in enumerate(SUBJECTS):
        rgb = subject(seed)
        original = hash_rgb(rgb)
        turned = hash_rgb(np.ascontiguousarray(TRANSFORMS[name](_jpeg_round_trip(rgb, 75))))
        distances = {
            n: compare(turned.value, v)
            for n, v in zip(DIHEDRAL_NAMES, original.dihedral, strict=True)
        }
        assert min(distances, key=distances.__getitem__) == name
        assert distances[name] <= THRESHOLD


def _jpeg_round_trip(rgb: RgbArray, quality: int) -> RgbArray:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=quality)
    with Image.open(buffer) as image:
        return np.asarray(image.convert("RGB"))


def _resized(rgb: RgbArray, factor: float) -> RgbArray:
    height, width = rgb.shape[:2]
    size = (round(width * factor), round(height * factor))
    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.BILINEAR))


def _trimmed(rgb: RgbArray, fraction: float) -> RgbArray:
    height, width = rgb.shape[:2]
    top, left = int(height * fraction), int(width * fraction)
    return rgb[top : height - top, left : width - left]


# PDQ tolerates only small crops: trimming 1% off every side already moves some of these
# images 34 bits.
COPIES: dict[str, Callable[[RgbArray], RgbArray]] = {
    "jpeg q60": lambda a: _jpeg_round_trip(a, 60),
    "jpeg q30": lambda a: _jpeg_round_trip(a, 30),
    "half size": lambda a: _resized(a, 0.5),
    "one and a half": lambda a: _resized(a, 1.5),
    "trimmed 0.5%": lambda a: _trimmed(a, 0.005),
    "brighter": lambda a: np.clip(a.astype(np.int16) + 20, 0, 255).astype(np.uint8),
}


@pytest.mark.parametrize("copy_name", list(COPIES))
def test_altered_copies_match_the_original(copy_name: str) -> None:
    for seed, subject in enumerate(SUBJECTS):
        rgb = subject(seed)
        copy = hash_rgb(np.ascontiguousarray(COPIES[copy_name](rgb)))
        assert compare(hash_rgb(rgb).value, copy.value) <= THRESHOLD


def test_different_images_do_not_match() -> None:
    hashes = [hash_rgb(photo_like(200, 200, seed)) for seed in range(6)]
    for i, a in enumerate(hashes):
        for b in hashes[i + 1 :]:
            assert min(compare(a.value, v) for v in b.dihedral) > THRESHOLD
