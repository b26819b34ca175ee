import io

import numpy as np
from PIL import Image

from interlink.media.contact_sheet import SheetSampler, make_sheet, wellness_sheet


def _tile(value: int) -> Image.Image:
    cells = (np.indices((90, 160)) // 10).sum(axis=0) % 2
    return Image.fromarray((cells * value).astype(np.uint8)).convert("RGB")


def test_sheet_is_a_grid_and_its_wellness_view_is_grey() -> None:
    sheet = make_sheet([(float(n), _tile(200)) for n in range(6)], columns=4)
    with Image.open(io.BytesIO(sheet)) as image:
        assert image.size == (4 * 192, 2 * 108)
        assert image.mode == "RGB"
    with Image.open(io.BytesIO(wellness_sheet(sheet))) as view:
        assert view.mode == "L"
        grey = np.asarray(view, dtype=np.float64)
        assert np.abs(np.diff(grey, axis=1)).mean() < 2.0
    assert make_sheet([]) == b""
    assert wellness_sheet(b"") == b""


def test_sampler_spreads_over_the_whole_stream() -> None:
    sampler = SheetSampler(tiles=4)
    for n in range(100):
        if sampler.wants():
            sampler.offer(float(n), _tile(n))
        else:
            sampler.skip()
    times = [t for t, _ in sampler.tiles()]
    assert len(times) == 4
    assert times[0] == 0.0
    assert times[-1] >= 80.0
    assert times == sorted(times)
    few = SheetSampler(tiles=4)
    few.offer(1.0, _tile(1))
    assert [t for t, _ in few.tiles()] == [1.0]
