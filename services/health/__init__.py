"""Liveness of the service and its dependencies."""
