"""Tests of services/streets."""
