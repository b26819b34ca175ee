"""Grooming-risk cue patterns, one module per language.

To add a language, write ``interlink/chats/cues/<code>.py`` with ``LANGUAGE``,
``AGE_STATED`` (patterns with a group named ``age``), ``AGE_ASKED`` and ``PATTERNS`` (a pattern
tuple for each of ``photo_request``, ``secrecy``, ``platform_move``, ``gift``, ``meeting``,
``threat``), then add the module to ``LANGUAGES`` below. Every language's patterns are tried
on every message (a conversation may switch language), so nothing needs detecting first.
"""

from __future__ import annotations

from types import ModuleType

from interlink.chats.cues import en, fr

LANGUAGES: tuple[ModuleType, ...] = (en, fr)
