"""Interlink linking."""
