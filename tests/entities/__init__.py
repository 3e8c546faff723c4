"""Tests of services/entities."""
