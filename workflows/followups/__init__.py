"""Ledger follow-ups (跟踪走访): the weekly per-street sweep that opens and closes overdue-visit tasks."""
