"""Tenants as the caller sees them."""
