"""Tracking's vocabulary: the workflow id and names, its input, status and result, the due dates.

No activity or database code here, so the HTTP layer's thin client and the cycle (which starts
:class:`StreetYearInput` workflows as children) may import it. These Structs are written into
workflow histories: add fields with defaults, never rename or remove one.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Final, Literal

import msgspec

from tenants.calendar import day_end

STREET_YEAR: Final = "StreetYear"
"""The workflow type, for starting it by name without importing the workflow module."""
REPORT_SUBMITTED: Final = "report_submitted"
"""Signal: the operator submitted the report of a month (argument: the month, 1–12)."""
STATUS: Final = "status"
"""Query: :class:`StreetYearStatus`."""
RESCHEDULE: Final = "reschedule"
"""Update: the city's new :class:`TrackingSettings`; the months not yet reminded take the new deadline."""

TRACKED_STATUSES: Final = ("pilot", "designated", "rectification")
"""Streets that owe monthly reports: pilots and designated streets, also while in rectification (整改)."""

Phase = Literal["starting", "tracking", "closed"]
ItemState = Literal["due", "submitted", "missing", "escalated"]
"""``due``: the deadline has not passed; ``missing``: it passed without a report and the operator was
reminded; ``escalated``: still missing after the escalation delay, the caseworkers were told."""


def street_year_id(tenant: str, street_id: int, year: int) -> str:
    """One workflow per street and year: starting it again is a no-op (the id is taken)."""
    return f"street:{tenant}:{street_id}:{year}"


def report_due_on(year: int, month: int, deadline_day: int) -> date:
    """The report of ``month`` is due by ``deadline_day`` of the next month (December's: in January)."""
    return date(year + 1, 1, deadline_day) if month == 12 else date(year, month + 1, deadline_day)


def reminder_at(due_on: date) -> datetime:
    """When a report due on ``due_on`` is missing: the end of that day in China."""
    return day_end(due_on)


def escalation_at(due_on: date, escalation_days: int) -> datetime:
    return day_end(due_on) + timedelta(days=escalation_days)


class TrackingSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The city's deadline day and escalation delay: read when the year's tracking starts, and replaced by
    a :data:`RESCHEDULE` Update when the city changes them."""

    report_deadline_day: Annotated[int, msgspec.Meta(ge=1, le=28)]
    escalation_days: Annotated[int, msgspec.Meta(ge=1, le=366)]


class StreetYearInput(msgspec.Struct, frozen=True, kw_only=True):
    """Track ``street_id``'s monthly reports of ``year`` from ``start_month`` (the month it was designated)."""

    tenant: str
    street_id: int
    year: int
    start_month: int = 1


class DueItem(msgspec.Struct, kw_only=True):
    month: str
    """``YYYY-MM``."""
    due_on: date
    state: ItemState = "due"


class StreetYearStatus(msgspec.Struct, frozen=True, kw_only=True):
    tenant: str
    street_id: int
    year: int
    phase: Phase
    items: tuple[DueItem, ...]


class StreetYearResult(msgspec.Struct, frozen=True, kw_only=True):
    reminders: int
    escalations: int
    missing: tuple[str, ...]
    """Months (``YYYY-MM``) whose report was still missing at the last check."""
