"""What the fork server of a scan's worker processes loads before it forks any worker.

Loaded only there (``services.executor`` names it in the fork server's preload list), never in
the coordinating process:

- the modules every worker needs for its first file (the analysis, OpenCV for the ORB signal,
  Pillow's JPEG reader), so that each worker does not import them again; and dfVFS with its
  back-ends, with which a worker opens the files of a disk image (``sources.disk_member``):
  0.2 s of CPU once here, against that in every worker of every scan of an image;
- glibc's ``malloc`` keeps freed buffers for the next file (``services.worker_memory``)
  instead of faulting in fresh pages for each;
- OpenCV told to run on the worker's own thread: the workers are the parallelism, and on few
  cores OpenCV's own thread pool in each of them would only contend for the same cores;
- a worker the executor named lean (``executor.LEAN_WORKER``) does not import the caller's
  main module. ``multiprocessing`` does that in each new process in case the work is a
  function defined there; a scan's work is ``services.worker.run`` or a runner from an
  importable module, and the main module is the whole CLI, or a benchmark: imported again in
  each worker, it cost a third of a second of CPU per worker. Other processes of the fork
  server (``executor(..., main=True)``) import it as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from multiprocessing import process, spawn

import cv2  # (for the ORB signal of the first image)
import dfvfs.resolver_helpers  # noqa: F401  (what dfVFS imports when it first opens a file)
from PIL import JpegImagePlugin, PngImagePlugin  # noqa: F401

import interlink.services.worker
import interlink.sources.disk_member  # noqa: F401
from interlink.services.executor import LEAN_WORKER
from interlink.services.worker_memory import keep_freed_memory

cv2.setNumThreads(1)


def _unless_lean(fixup: Callable[[str], None]) -> Callable[[str], None]:
    def fixup_main(where: str) -> None:
        if not process.current_process().name.startswith(LEAN_WORKER):
            fixup(where)

    return fixup_main


spawn._fixup_main_from_name = _unless_lean(spawn._fixup_main_from_name)  # type: ignore[attr-defined]
spawn._fixup_main_from_path = _unless_lean(spawn._fixup_main_from_path)  # type: ignore[attr-defined]
keep_freed_memory()
