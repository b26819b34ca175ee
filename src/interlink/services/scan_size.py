"""How big an exhibit is, before it is opened: a first estimate of its files, and whether it
is small enough to analyse in the scanning process itself."""

from __future__ import annotations

import os
from pathlib import Path


def count_files(root: Path) -> int:
    """How many files lie under ``root`` (1 for a file), without following links: the first
    estimate of a scan's size, refined as archives are opened."""
    if not root.is_dir():
        return 1
    return sum(len(files) for _, _, files in os.walk(root))


def is_small(root: Path, files: int, size: int) -> bool:
    """Whether ``root`` holds fewer than ``files`` files and at most ``size`` bytes in all."""
    if files <= 0:
        return False
    if not root.is_dir():
        return root.stat().st_size <= size if root.exists() else True
    count = total = 0
    for folder, _, names in os.walk(root):
        for name in names:
            count += 1
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue
            if count >= files or total > size:
                return False
    return True
