"""Tests of services/activities."""
