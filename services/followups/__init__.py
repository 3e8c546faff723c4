"""Ledger follow-ups (跟踪走访): the weekly sweep that opens and closes tasks for overdue visits."""
