"""Tests of services/fields."""
