"""Signals: one hash value of one type, with its quality where the type has one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Signal:
    """A normalised hash value (see ``interlink.signals``) of signal type ``type``.

    ``quality`` is 0-100 for perceptual types that have one (PDQ) and ``None`` otherwise.
    """

    type: str
    value: str
    quality: int | None = None
