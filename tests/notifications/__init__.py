"""Tests of the notifications and follow-up tasks API."""
