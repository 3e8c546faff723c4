"""Tests of services/streetreports."""
