"""Benchmarks: quality and speed figures, each against a baseline measured in the same run."""
