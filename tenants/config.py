"""A tenant's own configuration (租户配置): cadences, deadlines and sample sizes, with POLICY.md defaults."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

Days = Annotated[int, msgspec.Meta(ge=1, le=366)]


class FollowupCadence(msgspec.Struct, frozen=True, kw_only=True, rename="camel", forbid_unknown_fields=True):
    """Days between follow-up visits by entity class (POLICY.md, 二(四) 定期跟踪走访)."""

    startup: Days = 30
    growth: Days = 60
    brand: Days = 90


class TenantSettings(msgspec.Struct, frozen=True, kw_only=True, rename="camel", forbid_unknown_fields=True):
    """What a city admin may configure without code; every field has the province default."""

    followup_days: FollowupCadence = msgspec.field(default_factory=FollowupCadence)
    report_deadline_day: Annotated[int, msgspec.Meta(ge=1, le=28)] = 10
    """Monthly reports are due by this day of the next month."""
    escalation_days: Days = 7
    """Days after a reminder before a missing report is escalated to the caseworker."""
    survey_min_sample: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 30
    """Fewer survey responses than this make satisfaction "no data" (POLICY.md)."""
    rectification_days: Days = 90
    application_window: tuple[str, str] = ("01-01", "03-31")
    """Month-day range in which operators apply for pilot selection."""
    pilot_target: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 20
    """The province's own setting: pilots to designate in a year's selection (POLICY.md 一(三): about 20).

    Each year's selection reads it when it starts, so changing it sets the target of the years to come.
    """
    webhook_url: str | None = None
    """Optional WeCom (企业微信) robot webhook for notifications."""
    webhook_secret: str | None = None


def settings_from_json(data: dict[str, Any]) -> TenantSettings:
    """Stored settings (possibly partial, from an older version) with defaults for what is missing."""
    return msgspec.convert(data, TenantSettings, from_attributes=False)


def settings_to_json(settings: TenantSettings) -> dict[str, Any]:
    return msgspec.to_builtins(settings)  # type: ignore[no-any-return]
