"""Follow-ups' vocabulary: the workflow id and name, its input and running totals.

No activity or database code, so the cycle and the HTTP layer may import it. These Structs are written
into workflow histories: add fields with defaults, never rename or remove one.
"""

from __future__ import annotations

from typing import Final

import msgspec

FOLLOWUP_SWEEP: Final = "FollowupSweep"


def followups_id(tenant: str, year: int) -> str:
    """One sweep workflow per city and year (``followups:{tenant}:{year}``); a repeated start is a no-op."""
    return f"followups:{tenant}:{year}"


class SweepTotals(msgspec.Struct, frozen=True, kw_only=True):
    """What the year's sweeps have done so far (carried across continue-as-new)."""

    sweeps: int = 0
    streets: int = 0
    opened: int = 0
    closed: int = 0
    notified: int = 0

    def plus(self, other: SweepTotals) -> SweepTotals:
        return SweepTotals(
            sweeps=self.sweeps + other.sweeps,
            streets=self.streets + other.streets,
            opened=self.opened + other.opened,
            closed=self.closed + other.closed,
            notified=self.notified + other.notified,
        )


class FollowupSweepInput(msgspec.Struct, frozen=True, kw_only=True):
    """Sweep ``tenant``'s tracked streets every ``interval_days`` until ``year`` ends.

    After ``sweeps_per_run`` sweeps the workflow continues as new with ``totals`` carried over, so its
    history stays bounded however long the year and however many streets.
    """

    tenant: str
    year: int
    interval_days: int = 7
    sweeps_per_run: int = 10
    totals: SweepTotals = msgspec.field(default_factory=SweepTotals)
