"""Interlink triage."""
