"""What the fork server of a scan's worker processes loads before it forks any worker.

Loaded only there (``services.executor`` names it in the fork server's preload list), never in
the coordinating process:

- the modules every worker needs for its first file (the analysis, OpenCV for the ORB signal,
  Pillow's JPEG reader), so that each worker does not import them again;
- workers do not import the caller's main module. ``multiprocessing`` does that in each new
  process, in case the work is a function defined there; a scan's work is
  ``services.worker.run`` (or a runner from an importable module), and the main module is the
  whole CLI, or a benchmark: imported again per worker, it cost a third of a second of CPU each.
"""

from __future__ import annotations

from multiprocessing import spawn

import cv2  # noqa: F401  (for the ORB signal of the first image)
from PIL import JpegImagePlugin, PngImagePlugin  # noqa: F401

import interlink.services.worker  # noqa: F401


def _keep_main(_: str) -> None:
    """Leave ``__main__`` as the fork server has it (see the module's docstring)."""


spawn._fixup_main_from_name = _keep_main  # type: ignore[attr-defined]
spawn._fixup_main_from_path = _keep_main  # type: ignore[attr-defined]
