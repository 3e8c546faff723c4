"""Tests of services/ledger."""
