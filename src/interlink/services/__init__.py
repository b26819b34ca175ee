"""Interlink services."""
