"""All SQLModel tables, in one package so migrations and relations are seen at once."""

from services.models.base import REFERENCE_TABLES, TENANT_TABLES, metadata
from services.models.core import AuditLog, LoginThrottle, Tenant, TenantConfig, User
from services.models.notifications import FollowupTask, Notification
from services.models.rules import Assessment, Baseline, CityRule, GradeScheme, RuleCase
from services.models.streets import (
    Activity,
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
    "GradeScheme",
    "InternshipPosition",
    "LedgerEntry",
    "LedgerOutcome",
    "LedgerVisit",
    "LoginThrottle",
    "MonthlyReport",
    "Notification",
    "Operator",
    "RuleCase",
    "Street",
    "SurveyResponse",
    "Tenant",
    "TenantConfig",
    "User",
    "metadata",
]
