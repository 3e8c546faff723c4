"""Benchmarks: scripts that print figures (not tests), run with ``python -m infra.benchmarks.<name>``."""
