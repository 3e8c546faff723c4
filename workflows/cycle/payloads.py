"""The inputs and results of the cycle's activities, as Temporal carries them between workflows and activities."""

from __future__ import annotations

from datetime import date
from typing import Final

from services.notifications.messages import NoticeKind
from services.streets.schemas import StreetStatus
from tenants.context import SYSTEM_ACTOR
from workflows.cycle.schemas import AssessmentKind, Candidate, CityRecommendations, Payload, RevocationProposed
from workflows.notifications.activities import WebhookInput

INVALID_SETTINGS: Final = "InvalidSettings"
"""The failure type of an activity that met a setting it cannot work with: the cycle stops and tells the city."""


class NoticeSpec(Payload, frozen=True, kw_only=True):
    """What the streets' users are told when their status changes."""

    kind: NoticeKind
    year: int
    due_on: date | None = None


# One input type per activity (STYLE.md 7).
class OpeningInput(Payload, frozen=True, kw_only=True):
    tenant: str
    year: int


class AppliedStreet(Payload, frozen=True, kw_only=True):
    street_id: int
    name: str


class CycleOpening(Payload, frozen=True, kw_only=True):
    """What a city's cycle needs to begin: its province, window, tracked streets, applications so far."""

    province: str
    window: tuple[date, date]
    tracked: tuple[int, ...]
    applications: tuple[AppliedStreet, ...]
    selection_designated: tuple[int, ...] | None
    """The city's designated streets when the province's selection has already closed, else None."""


class ApplicationInput(Payload, frozen=True, kw_only=True):
    tenant: str
    year: int
    street_id: int
    applied_by: str


class AssessInput(Payload, frozen=True, kw_only=True):
    tenant: str
    year: int
    street_ids: tuple[int, ...]
    kind: AssessmentKind


class StatusInput(Payload, frozen=True, kw_only=True):
    tenant: str
    street_ids: tuple[int, ...]
    status: StreetStatus
    reason: str
    changed_by: str = SYSTEM_ACTOR
    notice: NoticeSpec | None = None


class SubmitInput(Payload, frozen=True, kw_only=True):
    province: str
    year: int
    recommendations: CityRecommendations


class TargetInput(Payload, frozen=True, kw_only=True):
    province: str


class DesignateInput(Payload, frozen=True, kw_only=True):
    province: str
    year: int
    streets: tuple[Candidate, ...]
    designated_by: str
    target: int
    override_reason: str | None


class AnnounceInput(Payload, frozen=True, kw_only=True):
    province: str
    year: int
    designated: tuple[Candidate, ...]


class Moved(Payload, frozen=True, kw_only=True):
    """A street whose status an activity changed; the workflow posts the notice to the city's webhook."""

    tenant: str
    street_id: int
    name: str
    webhook: bool
    """Whether the city has a webhook (otherwise there is nothing to post)."""


class StatusResult(Payload, frozen=True, kw_only=True):
    now: tuple[int, ...]
    """The streets in the new status after the change (moved now or before)."""
    moved: tuple[Moved, ...]


class ReevaluationOpening(Payload, frozen=True, kw_only=True):
    street_ids: tuple[int, ...]
    rectification_days: int


class ProposalInput(Payload, frozen=True, kw_only=True):
    tenant: str
    year: int
    street_ids: tuple[int, ...]


class ProposalResult(Payload, frozen=True, kw_only=True):
    """The streets put to the province for revocation, and what the city's and the province's webhooks post."""

    proposed: tuple[RevocationProposed, ...]
    webhooks: tuple[WebhookInput, ...]
