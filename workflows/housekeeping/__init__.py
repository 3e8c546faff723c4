"""Housekeeping: periodic clean-up that keeps tables small."""
