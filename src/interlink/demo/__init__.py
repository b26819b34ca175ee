"""Benign synthetic material for the demo, the tests and the benchmarks: generated scenes,
transformed copies, and a whole synthetic exhibit with a list that marks some of it known."""
