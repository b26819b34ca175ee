"""Benchmarks: each runs its anchor in the same run and prints the ratio."""
