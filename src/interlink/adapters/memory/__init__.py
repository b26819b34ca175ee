"""Interlink adapters memory."""
