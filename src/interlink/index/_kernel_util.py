"""Helpers shared by the compiled kernels: read-only views for typed calls, buffer growth."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit


def frozen(array: npt.ArrayLike, dtype: npt.DTypeLike) -> npt.NDArray[Any]:
    """A read-only, C-contiguous view (or copy, if the dtype or layout differs) of ``array``."""
    if (
        type(array) is np.ndarray
        and array.dtype.type is dtype
        and not array.flags.writeable
        and array.flags.c_contiguous
    ):
        return array
    view = np.ascontiguousarray(array, dtype=dtype).view()
    view.flags.writeable = False
    return view


# Growth helpers name their dtype and copy in a loop: the generic form costs seconds of compile.
@njit(cache=True, nogil=True)
def grow_i64(array, needed):  # type: ignore[no-untyped-def]
    if needed <= array.shape[0]:
        return array
    bigger = np.empty(max(needed, 2 * array.shape[0]), np.int64)
    for i in range(array.shape[0]):
        bigger[i] = array[i]
    return bigger


@njit(cache=True, nogil=True)
def grow_i32(array, needed):  # type: ignore[no-untyped-def]
    if needed <= array.shape[0]:
        return array
    bigger = np.empty(max(needed, 2 * array.shape[0]), np.int32)
    for i in range(array.shape[0]):
        bigger[i] = array[i]
    return bigger


@njit(cache=True, nogil=True)
def grow_rows(array, needed):  # type: ignore[no-untyped-def]
    if needed <= array.shape[1]:
        return array
    bigger = np.empty((array.shape[0], max(needed, 2 * array.shape[1])), np.int64)
    for r in range(array.shape[0]):
        for i in range(array.shape[1]):
            bigger[r, i] = array[r, i]
    return bigger
