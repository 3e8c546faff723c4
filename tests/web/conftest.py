"""Fixtures of the page tests: an operator user and its street in Jinan."""

from tests.streetdata_fixtures import jinan_operator

__all__ = ["jinan_operator"]
