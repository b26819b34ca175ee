"""Interlink adapters sql."""
