"""The wording of each automated notification, in Chinese and English, and its event's dedupe key: monthly
reports, ledger follow-ups and the annual cycle's status changes (designation, rectification, retention,
revocation)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final, Literal

from services.notifications.schemas import Audience, Message
from services.text import Text

ReportStage = Literal["reminder", "escalation"]
NoticeKind = Literal["designated", "rectification", "retained", "revoked"]
AUDIENCES: Final[tuple[Audience, ...]] = ("city_admins", "street_operators")
"""Who receives the cycle's notices: the city's admins decide what follows; the street's operator has to act on it."""


def month_label(month: dt.date) -> tuple[str, str]:
    """``2025年3月`` and ``2025-03``."""
    return f"{month.year}年{month.month}月", month.strftime("%Y-%m")


def report_key(stage: ReportStage, street_id: int, month: dt.date) -> str:
    """``report-reminder:{street}:{YYYY-MM}`` / ``report-escalation:…``: one event per street, month and stage."""
    return f"report-{stage}:{street_id}:{month.strftime('%Y-%m')}"


def report_missing(
    stage: ReportStage, street_id: int, street_name: str, month: dt.date, due_on: dt.date, escalation_days: int
) -> Message:
    """The reminder to the operator, or the escalation to the caseworkers, of a missing monthly report."""
    zh_month, en_month = month_label(month)
    due_zh, due_en = f"{due_on.month}月{due_on.day}日", due_on.isoformat()
    if stage == "reminder":
        return Message(
            kind="report_reminder",
            title_zh=f"月报提醒：{street_name}{zh_month}月报未提交",
            title_en=f"Reminder: {street_name}'s report for {en_month} is missing",
            body_zh=f"{street_name}{zh_month}的月报应于{due_zh}前提交，目前尚未收到，请尽快提交。",
            body_en=f"The monthly report of {street_name} for {en_month} was due by {due_en} and has not "
            "been received. Please submit it now.",
            street_id=street_id,
        )
    return Message(
        kind="report_escalation",
        title_zh=f"月报逾期：{street_name}{zh_month}月报逾期{escalation_days}天仍未提交",
        title_en=f"Escalation: {street_name}'s report for {en_month} is {escalation_days} days overdue",
        body_zh=f"{street_name}{zh_month}的月报应于{due_zh}前提交，已提醒运营机构，逾期{escalation_days}天"
        "仍未收到，请跟进。",
        body_en=f"The monthly report of {street_name} for {en_month} was due by {due_en}; the operator was "
        f"reminded and it is still missing {escalation_days} days later. Please follow up.",
        street_id=street_id,
    )


def followup_key(tenant: str, as_of: dt.date) -> str:
    """``followup-digest:{tenant}:{as_of}``: one digest per city and sweep."""
    return f"followup-digest:{tenant}:{as_of.isoformat()}"


DIGEST_STREETS: Final = 10
"""Streets named in a digest; the rest are counted."""


def followups_overdue(streets: Sequence[tuple[str, int]], open_tasks: int, street_id: int | None) -> Message:
    """The caseworkers' digest of a sweep's newly overdue visits: (street name, tasks opened), most first.

    ``street_id`` links the message to the street when only one street is concerned.
    """
    opened = sum(count for _, count in streets)
    named, rest = streets[:DIGEST_STREETS], len(streets) - DIGEST_STREETS
    list_zh = "、".join(f"{name}{count}项" for name, count in named) + (f"等{len(streets)}个街区" if rest > 0 else "")
    list_en = ", ".join(f"{name} {count}" for name, count in named) + (f" and {rest} more" if rest > 0 else "")
    return Message(
        kind="followup_overdue",
        title_zh=f"走访逾期：新增{opened}项逾期走访，涉及{len(streets)}个街区",
        title_en=f"Overdue visits: {opened} became overdue in {len(streets)} street{'s' if len(streets) != 1 else ''}",
        body_zh=f"新增逾期走访：{list_zh}。全市现有{open_tasks}项逾期走访任务，请尽快安排走访并在台账中登记。",
        body_en=f"Newly overdue visits: {list_en}. The city has {open_tasks} overdue follow-up visits in all. "
        "Please visit and record each on the ledger.",
        street_id=street_id,
    )


def followups_summary_key(tenant: str, as_of: dt.date) -> str:
    """``followup-summary:{tenant}:{as_of}``: the webhook delivery id of a city's weekly sweep."""
    return f"followup-summary:{tenant}:{as_of.isoformat()}"


def followups_summary(opened: int, open_tasks: int, streets: int, as_of: dt.date) -> tuple[str, str]:
    """Title and body (Chinese, for the city's WeCom group) of a sweep that opened tasks."""
    return (
        f"走访提醒：本周新增{opened}项逾期走访",
        f"截至{as_of.isoformat()}，{streets}个街区共有{open_tasks}项逾期走访任务，请在街区系统中查看并安排走访。",
    )


def followup_escalation_key(task_id: int) -> str:
    """``followup-escalation:{task}``: one escalation per follow-up task, however often the sweep runs."""
    return f"followup-escalation:{task_id}"


def followup_escalation(
    street_id: int,
    street_name: str,
    entity_id: int,
    entity_name: str,
    due_on: dt.date,
    cadence_days: int,
    overdue_days: int,
) -> Message:
    """The city admins' notice of a follow-up visit still not made a second cadence after its due day."""
    return Message(
        kind="followup_escalation",
        title_zh=f"走访逾期升级：{street_name}{entity_name}逾期{overdue_days}天未走访",
        title_en=f"Escalation: {entity_name} in {street_name} not visited {overdue_days} days after due",
        body_zh=f"{street_name}的{entity_name}应于{due_on.year}年{due_on.month}月{due_on.day}日前走访"
        f"（每{cadence_days}天一次），已超过两个走访周期仍未走访，请督促走访并在台账中登记。",
        body_en=f"{entity_name} in {street_name} was due a follow-up visit by {due_on.isoformat()} (every "
        f"{cadence_days} days) and is still not visited two cadences later. Please see that it is visited "
        "and recorded on the ledger.",
        street_id=street_id,
        entity_id=entity_id,
    )


def notice_key(kind: NoticeKind, street_id: int, year: int) -> str:
    """``cycle-{kind}:{street}:{year}``: one event per street, year and kind, however often it is retried."""
    return f"cycle-{kind}:{street_id}:{year}"


def notice(kind: NoticeKind, street_id: int, name: str, year: int, due_on: dt.date | None = None) -> Message:
    """The message of a status change the cycle made."""
    if kind == "designated":
        return Message(
            kind="street_designated",
            title_zh=f"试点认定：{name}入选{year}年省级创业街区试点",
            title_en=f"Designated: {name} is a {year} provincial pilot street",
            body_zh=f"{name}已被省人社厅认定为{year}年省级创业街区试点，请按月报送数据，年底将进行复评。",
            body_en=f"The province has designated {name} a {year} pilot entrepreneurship street. Monthly "
            "reports are due, and the street is re-evaluated at year end.",
            street_id=street_id,
        )
    if kind == "rectification":
        due_zh, due_en = (f"{due_on.year}年{due_on.month}月{due_on.day}日", due_on.isoformat()) if due_on else ("", "")
        return Message(
            kind="street_rectification",
            title_zh=f"限期整改：{name}{year}年度复评未通过",
            title_en=f"Rectification: {name} did not pass the {year} re-evaluation",
            body_zh=f"{name}未达到{year}年度评价要求，请于{due_zh}前完成整改，届时将重新评估，未通过将撤销认定。",
            body_en=f"{name} did not meet the {year} requirements. Rectify by {due_en}; the street is then "
            "re-assessed, and its designation is revoked if it fails again.",
            street_id=street_id,
        )
    if kind == "retained":
        return Message(
            kind="street_retained",
            title_zh=f"保留认定：{name}通过{year}年度评价",
            title_en=f"Retained: {name} passed the {year} assessment",
            body_zh=f"{name}通过{year}年度评价，保留省级创业街区认定。",
            body_en=f"{name} passed the {year} assessment and remains a provincial entrepreneurship street.",
            street_id=street_id,
        )
    return Message(
        kind="street_revoked",
        title_zh=f"撤销认定：{name}整改后复评仍未通过",
        title_en=f"Revoked: {name} failed its re-assessment after rectification",
        body_zh=f"{name}在{year}年度评价整改期满后重新评估仍未通过，撤销省级创业街区认定。",
        body_en=f"{name} failed its re-assessment after the {year} rectification period; its designation is revoked.",
        street_id=street_id,
    )


def audit_broken_key(tenant: str, row_id: int) -> str:
    """``audit-broken:{tenant}:{row}``: one notice per break found, however many nights it stays broken."""
    return f"audit-broken:{tenant}:{row_id}"


def audit_broken(city: str, where: Text) -> Message:
    """The province's admins told that a tenant's audit trail no longer verifies."""
    return Message(
        kind="audit_broken",
        title_zh=f"审计日志校验失败：{city}",
        title_en=f"Audit trail check failed: {city}",
        body_zh=f"{where.zh}。请核查数据库的访问记录；运行 jiequ audit verify 可重新校验。",
        body_en=f"{where.en}. Check who had access to the database; jiequ audit verify checks again.",
    )
