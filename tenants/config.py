"""A tenant's own configuration (租户配置): cadences, deadlines and sample sizes, with POLICY.md defaults."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Final

import msgspec

Days = Annotated[int, msgspec.Meta(ge=1, le=366)]
MonthDay = Annotated[str, msgspec.Meta(description="月-日 MM-DD / a month and day, MM-DD", examples=["03-31"])]
_MONTH_DAY: Final = re.compile(r"(\d{2})-(\d{2})")
_LEAP_YEAR: Final = 2024
"""Month-days are checked against a leap year: 02-29 is a real day (it falls back to the 28th in other years)."""


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
    application_window: tuple[MonthDay, MonthDay] = ("01-01", "03-31")
    """Month-day range, within one year, in which operators apply for pilot selection (checked on save by
    :func:`window_problem`; a running cycle takes a change through its ``configure`` Update)."""
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


def window_problem(window: tuple[str, str]) -> tuple[str, str] | None:
    """Why ``window`` cannot be a year's application window, in Chinese and English; None when it can.

    Each end must be a real month-day (``MM-DD``; 02-29 is one), and the window lies within one year, so
    it may not start after it ends (a year's cycle opens and closes its applications in that year).
    """
    days: list[date] = []
    for value, end_zh, end_en in ((window[0], "开始日", "start"), (window[1], "截止日", "end")):
        match = _MONTH_DAY.fullmatch(value)
        try:
            days.append(date(_LEAP_YEAR, int(match[1]), int(match[2])) if match else date.min)
        except ValueError:
            match = None
        if match is None:
            return (
                f"申报窗口{end_zh}“{value}”不是有效的日期（应为“月-日”，如 03-31）",
                f"the application window's {end_en} '{value}' is not a real day (expected MM-DD, e.g. 03-31)",
            )
    if days[0] > days[1]:
        return (
            f"申报窗口开始日 {window[0]} 晚于截止日 {window[1]}（窗口须在同一年内）",
            f"the application window starts ({window[0]}) after it ends ({window[1]}); it must lie within one year",
        )
    return None
