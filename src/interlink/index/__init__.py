"""Signal indexes behind one protocol: exact lookup and Hamming search within a radius.

- ``base``: the ``SignalIndex`` protocol (strings), its ``HammingCodeIndex`` array extension,
  ``Hit`` and ``CodeMatches``.
- ``hamming.HammingIndex``: exact radius search over 256-bit codes (PDQ) at 10^7-10^8 codes,
  under 100 bytes per code, saved as a memory-mapped, crash-safe directory.
- ``exact.ExactIndex``: O(1) lookup of cryptographic hashes (MD5, SHA-1, SHA-256, PhotoDNA).
- ``brute.BruteForceHammingIndex``: the reference every Hamming index must equal.
- ``codes``: hex values as ``(n, 4)`` ``uint64`` code arrays and back.

Nothing is imported here, so that importing the protocol does not load the compiled kernels.
"""
