"""Interlink adapters."""
