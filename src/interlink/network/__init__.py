"""Interlink network."""
