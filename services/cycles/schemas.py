"""The annual cycle as the API shows and takes it (API.md, "Assessments and the cycle").

The workflows carry their own Structs (workflows/cycle/schemas.py), which are frozen into workflow
histories; these camelCase ones are the HTTP contract and are made from them by ``of``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec

from services.schemas import BaseStruct, InputStruct
from services.shared.bounds import FreeText, Id
from services.shared.shapes import shape_of
from workflows.cycle import schemas as wf
from workflows.tracking import schemas as tracking

StreetIds = Annotated[list[Id], msgspec.Meta(min_length=1, max_length=1000)]
Reason = FreeText


class ApplicationCreate(InputStruct):
    """An operator's (or the city admin's) application of a street for the year's selection (申报)."""

    street_id: Id


class RecommendationCreate(InputStruct):
    """The city admin recommends screened streets to the province (市级推荐)."""

    street_ids: StreetIds


class DesignationCreate(InputStruct):
    """The province designates pilots (省级认定); more than the target, or a street that did not pass its
    screening, needs `overrideReason` (recorded in the audit log)."""

    street_ids: StreetIds
    override_reason: Reason | None = None


class Candidate(BaseStruct):
    """A street as screened: its outcome and score (criteria passed) and the required criteria it missed."""

    tenant: str
    street_id: int
    name: str
    outcome: wf.Outcome
    assessment_id: int
    passed: int
    criteria: int
    failed_required: list[str]
    missing_required: list[str]

    @classmethod
    def of(cls, c: wf.Candidate) -> Candidate:
        return shape_of(cls, c, failed_required=list(c.failed_required), missing_required=list(c.missing_required))


class RankedCandidate(Candidate):
    rank: int


class Due(BaseStruct):
    """Something owed by a date: the applications' close, the year-end re-evaluation, a rectification."""

    kind: wf.DueKind
    due_on: date
    street_id: int | None


class Window(BaseStruct):
    opens: date
    closes: date


class Reevaluation(BaseStruct):
    """The year-end verdicts as the cycle heard them: retained, and in rectification until a date."""

    retained: list[int]
    rectification: list[int]
    rectification_due: date | None


class Cycle(BaseStruct):
    """A city's annual cycle: its phase, the applications, screening, recommendations and designations."""

    workflow_id: str
    tenant: str
    year: int
    phase: wf.Phase
    province: str | None
    application_window: Window | None
    applications: list[int]
    screening: list[Candidate]
    recommendations: list[int]
    designated: list[int]
    tracked: list[int]
    due: list[Due]
    reevaluation: Reevaluation | None

    @classmethod
    def of(cls, view: wf.CycleView) -> Cycle:
        window = view.application_window
        result = view.reevaluation
        return shape_of(
            cls,
            view,
            application_window=Window(opens=window[0], closes=window[1]) if window else None,
            applications=list(view.applications),
            screening=[Candidate.of(c) for c in view.screening],
            recommendations=list(view.recommendations),
            designated=list(view.designated),
            tracked=list(view.tracked),
            due=[shape_of(Due, d) for d in view.due],
            reevaluation=shape_of(
                Reevaluation, result, retained=list(result.retained), rectification=list(result.rectification)
            )
            if result
            else None,
        )


class TrackedReport(BaseStruct):
    """A month's report of a tracked street: due, submitted, missing (the operator was reminded) or escalated."""

    month: str
    due_on: date
    state: tracking.ItemState


class TrackedStreet(BaseStruct):
    """A designated street's monthly reports of the year as its tracking workflow holds them."""

    street_id: int
    phase: tracking.Phase
    reports: list[TrackedReport]

    @classmethod
    def of(cls, status: tracking.StreetYearStatus) -> TrackedStreet:
        return cls(
            street_id=status.street_id,
            phase=status.phase,
            reports=[shape_of(TrackedReport, item) for item in status.items],
        )


class RevocationProposal(BaseStruct):
    """连续两年年度等级为不合格（D）的街区，提请省人社厅决定是否撤销认定（系统不自动撤销）/ a street graded D two
    years running, put to the province for a decision on revoking it (nothing is revoked automatically)."""

    street_id: int
    name: str
    revocation_proposed: bool
    reason_zh: str
    reason_en: str


class YearEnd(BaseStruct):
    """The year's re-evaluation (年度复评) of the city's designated streets: each verdict, who was retained,
    who went into rectification until when, and who was revoked after it."""

    workflow_id: str
    phase: wf.ReevaluationPhase
    assessed: list[Candidate]
    retained: list[int]
    rectification: list[int]
    rectification_due: date | None
    reassessed: list[Candidate]
    revoked: list[int]
    revocation_proposed: list[RevocationProposal] = msgspec.field(default_factory=list)
    """Streets graded D this year and last, put to the province for a decision on revocation."""

    @classmethod
    def of(cls, view: wf.ReevaluationView) -> YearEnd:
        return shape_of(
            cls,
            view,
            assessed=[Candidate.of(c) for c in view.assessed],
            retained=list(view.retained),
            rectification=list(view.rectification),
            reassessed=[Candidate.of(c) for c in view.reassessed],
            revoked=list(view.revoked),
            revocation_proposed=[shape_of(RevocationProposal, p) for p in view.revocation_proposed],
        )


class Pilot(BaseStruct):
    """A pilot street (试点街区) or a designated one (省级创业街区) of one of the province's cities."""

    tenant: str
    street_id: int
    name: str
    status: str


class Selection(BaseStruct):
    """The province's selection of a year: all cities' recommendations ranked, and what it designated."""

    workflow_id: str
    province: str
    year: int
    phase: wf.SelectionPhase
    target: int | None
    ranking: list[RankedCandidate]
    """By outcome (pass, incomplete, fail), then criteria passed."""
    designated: list[Candidate]
    override_reason: str | None

    @classmethod
    def of(cls, view: wf.SelectionView) -> Selection:
        return shape_of(
            cls,
            view,
            ranking=[
                RankedCandidate(**msgspec.structs.asdict(Candidate.of(c)), rank=n)
                for n, c in enumerate(view.ranking, start=1)
            ],
            designated=[Candidate.of(c) for c in view.designated],
        )
