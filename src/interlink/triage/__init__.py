"""Triage: matching against known lists, duplicates, the review queue and the report model."""
