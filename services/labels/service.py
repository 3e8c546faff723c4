"""The codes of each coded value, taken from the types that define them, and their labels."""

from __future__ import annotations

from typing import Final, get_args

from rules.criteria import Level, Op, Origin
from rules.facts import FactKind
from rules.grades import Grade
from rules.verdict import Outcome, Result
from services.activities.schemas import ActivityKind
from services.assessments.schemas import Kind as AssessmentKind
from services.attestations.schemas import AttestationStatus, Claim
from services.cases.schemas import CaseCategory, CaseStatus, Decision
from services.entities.schemas import EntityClass, EntityKind, FounderGroup
from services.fields.schemas import FieldType
from services.followups.schemas import TaskStatus
from services.labels.labels import LABELS
from services.labels.schemas import Label
from services.ledger.schemas import LedgerStatus, Need, OutcomeKind
from services.notifications.messages import NoticeKind, ReportStage
from services.notifications.schemas import Audience
from services.streets.schemas import CenterService, StreetStatus, Theme
from services.users.schemas import Department
from services.workload.schemas import ServiceKind
from tenants.context import Role
from workflows.cycle.schemas import DueKind, ReevaluationPhase, SelectionPhase
from workflows.cycle.schemas import Phase as CyclePhase
from workflows.tracking.schemas import ItemState
from workflows.tracking.schemas import Phase as TrackingPhase

CODES: Final[dict[str, tuple[str, ...]]] = {
    "theme": get_args(Theme),
    "attestationStatus": get_args(get_args(AttestationStatus)[0]),
    "claim": get_args(get_args(Claim)[0]),
    "streetStatus": get_args(StreetStatus),
    "centerService": get_args(CenterService),
    "entityKind": get_args(EntityKind),
    "entityClass": get_args(EntityClass),
    "founderGroup": get_args(FounderGroup),
    "need": get_args(Need),
    "ledgerStatus": get_args(LedgerStatus),
    "outcomeKind": get_args(OutcomeKind),
    "activityKind": get_args(ActivityKind),
    "serviceKind": get_args(ServiceKind),
    "role": tuple(role.value for role in Role),
    "department": get_args(Department),
    "cyclePhase": get_args(CyclePhase),
    "selectionPhase": get_args(SelectionPhase),
    "reevaluationPhase": get_args(ReevaluationPhase),
    "trackingPhase": get_args(TrackingPhase),
    "reportState": get_args(ItemState),
    "dueKind": get_args(DueKind),
    "assessmentOutcome": get_args(Outcome),
    "assessmentKind": get_args(AssessmentKind),
    "grade": get_args(Grade),
    "criterionResult": get_args(Result),
    "criterionLevel": get_args(Level),
    "criterionOrigin": get_args(Origin),
    "criterionOp": get_args(Op),
    # A notification's kind is its event: report_<stage>, the follow-ups', street_<status change>, a cycle
    # stopped by its settings, an audit chain that did not verify.
    "notificationKind": (
        *(f"report_{stage}" for stage in get_args(ReportStage)),
        "followup_overdue",
        "followup_escalation",
        *(f"street_{kind}" for kind in get_args(NoticeKind)),
        "cycle_settings",
        "audit_broken",
        "revocation_proposed",
        "claims_unverified",
    ),
    "audience": get_args(Audience),
    "taskStatus": get_args(TaskStatus),
    "fieldType": get_args(FieldType),
    "factKind": get_args(FactKind),
    "caseCategory": get_args(CaseCategory),
    "caseStatus": get_args(CaseStatus),
    "caseDecision": get_args(Decision),
}
"""Every coded value the API takes or gives, by enum name: the codes as their types define them."""


def all_labels() -> dict[str, dict[str, Label]]:
    """``{enum: {code: {zh, en}}}`` for every code of `CODES`, in the types' order.

    A code without a label raises KeyError: the labels test catches it before a release does.
    """
    return {
        enum: {code: Label(zh=LABELS[enum][code].zh, en=LABELS[enum][code].en) for code in codes}
        for enum, codes in CODES.items()
    }
