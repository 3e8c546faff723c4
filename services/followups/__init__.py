"""Ledger follow-ups (跟踪走访): the weekly sweep that opens, closes and escalates tasks for overdue visits,
and the task list caseworkers work from (a recorded visit or a reason closes a task)."""
