"""All SQLModel tables, in one package so migrations and relations are seen at once."""

from services.models.base import REFERENCE_TABLES, TENANT_TABLES, metadata
from services.models.core import AuditLog, LoginThrottle, Tenant, TenantConfig, User
from services.models.notifications import FollowupTask, Notification
from services.models.rules import Assessment, Baseline, CityRule
from services.models.streets import (
    Activity,
    Attestation,
    Case,
    CaseImage,
    Center,
    CenterService,
    CenterStaff,
    CustomField,
    Entity,
    InternshipPosition,
    LedgerEntry,
    LedgerOutcome,
    LedgerVisit,
    MonthlyReport,
    Operator,
    Street,
    SurveyResponse,
)

__all__ = [
    "REFERENCE_TABLES",
    "TENANT_TABLES",
    "Activity",
    "Assessment",
    "Attestation",
    "AuditLog",
    "Baseline",
    "Case",
    "CaseImage",
    "Center",
    "CenterService",
    "CenterStaff",
    "CityRule",
    "CustomField",
    "Entity",
    "FollowupTask",
    "InternshipPosition",
    "LedgerEntry",
    "LedgerOutcome",
    "LedgerVisit",
    "LoginThrottle",
    "MonthlyReport",
    "Notification",
    "Operator",
    "Street",
    "SurveyResponse",
    "Tenant",
    "TenantConfig",
    "User",
    "metadata",
]
