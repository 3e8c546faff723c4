"""Tests of services/followups: the task list, closing a task by a visit or with a reason."""
