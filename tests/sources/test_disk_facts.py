"""``pyewf`` as the project installs it: the library ``disk_facts`` (and dfVFS) open E01s with."""

from __future__ import annotations

import ctypes

import pyewf


def test_pyewf_inflates_with_zlib() -> None:
    # libewf-python's wheel inflates E01 chunks with libewf's own deflate code, about twelve
    # times slower than zlib (docs/benchmarks/images.md); scripts/setup rebuilds it against the
    # system zlib. A module linked with zlib resolves zlib's ``uncompress`` from its own
    # dependencies (a search of that module's tree alone, not of the whole process).
    module = ctypes.CDLL(pyewf.__file__)
    assert hasattr(module, "uncompress"), "pyewf is not linked with zlib: run scripts/setup"
