"""Interchange formats: one streaming reader/writer per format. Pure: bytes in, records out."""
