"""Interlink cli."""
