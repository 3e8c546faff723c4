"""The wording of each automated notification, in Chinese and English, and its event's dedupe key: monthly
reports, ledger follow-ups and the annual cycle's status changes (designation, rectification, retention,
revocation)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from services.notifications.schemas import Audience, Message
from services.text import Text

ReportStage = Literal["reminder", "escalation"]
NoticeKind = Literal["designated", "rectification", "retained", "revoked"]
AUDIENCES: Final[tuple[Audience, ...]] = ("city_admins", "street_operators")
"""Who receives the cycle's notices: the city's admins decide what follows; the street's operator has to act on it."""


@dataclass(frozen=True)
class _Wording:
    """One kind of message: its title and body in both languages, with ``str.format`` placeholders."""

    kind: str
    title: Text
    body: Text

    def message(self, *, street_id: int | None, entity_id: int | None = None, **values: Any) -> Message:
        title, body = self.title.format(**values), self.body.format(**values)
        return Message(
            kind=self.kind,
            title_zh=title.zh,
            title_en=title.en,
            body_zh=body.zh,
            body_en=body.en,
            street_id=street_id,
            entity_id=entity_id,
        )


def month_label(month: dt.date) -> tuple[str, str]:
    """``2025年3月`` and ``2025-03``."""
    return f"{month.year}年{month.month}月", month.strftime("%Y-%m")


def report_key(stage: ReportStage, street_id: int, month: dt.date) -> str:
    """``report-reminder:{street}:{YYYY-MM}`` / ``report-escalation:…``: one event per street, month and stage."""
    return f"report-{stage}:{street_id}:{month.strftime('%Y-%m')}"


_REPORT_MISSING: Final[dict[ReportStage, _Wording]] = {
    "reminder": _Wording(
        "report_reminder",
        Text("月报提醒：{street}{zh_month}月报未提交", "Reminder: {street}'s report for {en_month} is missing"),
        Text(
            "{street}{zh_month}的月报应于{due_zh}前提交，目前尚未收到，请尽快提交。",
            "The monthly report of {street} for {en_month} was due by {due_en} and has not been received. "
            "Please submit it now.",
        ),
    ),
    "escalation": _Wording(
        "report_escalation",
        Text(
            "月报逾期：{street}{zh_month}月报逾期{days}天仍未提交",
            "Escalation: {street}'s report for {en_month} is {days} days overdue",
        ),
        Text(
            "{street}{zh_month}的月报应于{due_zh}前提交，已提醒运营机构，逾期{days}天仍未收到，请跟进。",
            "The monthly report of {street} for {en_month} was due by {due_en}; the operator was reminded and it "
            "is still missing {days} days later. Please follow up.",
        ),
    ),
}


def report_missing(
    stage: ReportStage, street_id: int, street_name: str, month: dt.date, due_on: dt.date, escalation_days: int
) -> Message:
    """The reminder to the operator, or the escalation to the caseworkers, of a missing monthly report."""
    zh_month, en_month = month_label(month)
    return _REPORT_MISSING[stage].message(
        street_id=street_id,
        street=street_name,
        zh_month=zh_month,
        en_month=en_month,
        due_zh=f"{due_on.month}月{due_on.day}日",
        due_en=due_on.isoformat(),
        days=escalation_days,
    )


def followup_key(tenant: str, as_of: dt.date) -> str:
    """``followup-digest:{tenant}:{as_of}``: one digest per city and sweep."""
    return f"followup-digest:{tenant}:{as_of.isoformat()}"


DIGEST_STREETS: Final = 10
"""Streets named in a digest; the rest are counted."""


_FOLLOWUPS_OVERDUE: Final = _Wording(
    "followup_overdue",
    Text(
        "走访逾期：新增{opened}项逾期走访，涉及{streets}个街区",
        "Overdue visits: {opened} became overdue in {streets} street{plural}",
    ),
    Text(
        "新增逾期走访：{list_zh}。全市现有{open_tasks}项逾期走访任务，请尽快安排走访并在台账中登记。",
        "Newly overdue visits: {list_en}. The city has {open_tasks} overdue follow-up visits in all. "
        "Please visit and record each on the ledger.",
    ),
)


def followups_overdue(streets: Sequence[tuple[str, int]], open_tasks: int, street_id: int | None) -> Message:
    """The caseworkers' digest of a sweep's newly overdue visits: (street name, tasks opened), most first.

    ``street_id`` links the message to the street when only one street is concerned.
    """
    opened = sum(count for _, count in streets)
    named, rest = streets[:DIGEST_STREETS], len(streets) - DIGEST_STREETS
    list_zh = "、".join(f"{name}{count}项" for name, count in named) + (f"等{len(streets)}个街区" if rest > 0 else "")
    list_en = ", ".join(f"{name} {count}" for name, count in named) + (f" and {rest} more" if rest > 0 else "")
    return _FOLLOWUPS_OVERDUE.message(
        street_id=street_id,
        opened=opened,
        streets=len(streets),
        plural="s" if len(streets) != 1 else "",
        list_zh=list_zh,
        list_en=list_en,
        open_tasks=open_tasks,
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


_FOLLOWUP_ESCALATION: Final = _Wording(
    "followup_escalation",
    Text(
        "走访逾期升级：{street}{entity}逾期{overdue}天未走访",
        "Escalation: {entity} in {street} not visited {overdue} days after due",
    ),
    Text(
        "{street}的{entity}应于{due_zh}前走访（每{cadence}天一次），已超过两个走访周期仍未走访，请督促走访并在台账中登记。",
        "{entity} in {street} was due a follow-up visit by {due_en} (every {cadence} days) and is still not "
        "visited two cadences later. Please see that it is visited and recorded on the ledger.",
    ),
)


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
    return _FOLLOWUP_ESCALATION.message(
        street_id=street_id,
        entity_id=entity_id,
        street=street_name,
        entity=entity_name,
        due_zh=f"{due_on.year}年{due_on.month}月{due_on.day}日",
        due_en=due_on.isoformat(),
        cadence=cadence_days,
        overdue=overdue_days,
    )


def notice_key(kind: NoticeKind, street_id: int, year: int) -> str:
    """``cycle-{kind}:{street}:{year}``: one event per street, year and kind, however often it is retried."""
    return f"cycle-{kind}:{street_id}:{year}"


_NOTICES: Final[dict[NoticeKind, _Wording]] = {
    "designated": _Wording(
        "street_designated",
        Text("试点认定：{name}入选{year}年省级创业街区试点", "Designated: {name} is a {year} provincial pilot street"),
        Text(
            "{name}已被省人社厅认定为{year}年省级创业街区试点，请按月报送数据，年底将进行复评。",
            "The province has designated {name} a {year} pilot entrepreneurship street. Monthly reports are due, "
            "and the street is re-evaluated at year end.",
        ),
    ),
    "rectification": _Wording(
        "street_rectification",
        Text("限期整改：{name}{year}年度复评未通过", "Rectification: {name} did not pass the {year} re-evaluation"),
        Text(
            "{name}未达到{year}年度评价要求，请于{due_zh}前完成整改，届时将重新评估，未通过将撤销认定。",
            "{name} did not meet the {year} requirements. Rectify by {due_en}; the street is then re-assessed, "
            "and its designation is revoked if it fails again.",
        ),
    ),
    "retained": _Wording(
        "street_retained",
        Text("保留认定：{name}通过{year}年度评价", "Retained: {name} passed the {year} assessment"),
        Text(
            "{name}通过{year}年度评价，保留省级创业街区认定。",
            "{name} passed the {year} assessment and remains a provincial entrepreneurship street.",
        ),
    ),
    "revoked": _Wording(
        "street_revoked",
        Text("撤销认定：{name}整改后复评仍未通过", "Revoked: {name} failed its re-assessment after rectification"),
        Text(
            "{name}在{year}年度评价整改期满后重新评估仍未通过，撤销省级创业街区认定。",
            "{name} failed its re-assessment after the {year} rectification period; its designation is revoked.",
        ),
    ),
}


def notice(kind: NoticeKind, street_id: int, name: str, year: int, due_on: dt.date | None = None) -> Message:
    """The message of a status change the cycle made."""
    due_zh, due_en = (f"{due_on.year}年{due_on.month}月{due_on.day}日", due_on.isoformat()) if due_on else ("", "")
    return _NOTICES[kind].message(street_id=street_id, name=name, year=year, due_zh=due_zh, due_en=due_en)


def settings_key(tenant: str, year: int) -> str:
    """``cycle-settings:{tenant}:{year}``: one notice per city and year whose configuration stops its cycle."""
    return f"cycle-settings:{tenant}:{year}"


_SETTINGS_INVALID: Final = _Wording(
    "cycle_settings",
    Text("{year} 年度流程未能开始：配置有误", "The {year} cycle could not start: the configuration is invalid"),
    Text(
        "{problem_zh}。请在租户配置中改正后，重新启动 {year} 年度流程。",
        "{problem_en}. Correct it in the tenant configuration, then start the {year} cycle again.",
    ),
)


def settings_notice(year: int, problem: str) -> Message:
    """What the city's admins are told when the city's configuration stops its cycle; `problem` is the
    refusal's ``zh / en`` message."""
    zh, _, en = problem.partition(" / ")
    return _SETTINGS_INVALID.message(street_id=None, year=year, problem_zh=zh, problem_en=en or zh)


def revocation_proposed_key(tenant: str, street_id: int, year: int) -> str:
    """``revocation-proposed:{tenant}:{street}:{year}``: one proposal per street and year, to the city and the
    province alike (the tenant keeps the province's keys of two cities' streets apart)."""
    return f"revocation-proposed:{tenant}:{street_id}:{year}"


_REVOCATION_PROPOSED: Final = _Wording(
    "revocation_proposed",
    Text(
        "建议撤销认定：{city}{name}连续两年年度等级为不合格",
        "Revocation proposed: {name} ({city_en}) was graded D (fail) two years running",
    ),
    Text(
        "{city}{name}{last}年、{year}年年度等级均为不合格（D），按规定提请省人社厅作出是否撤销省级创业街区认定的决定。"
        "系统不会自动撤销，请市人社局核实情况并报省人社厅决定。",
        "{name} ({city_en}) was graded D (fail) in {last} and {year}, so its designation as a provincial "
        "entrepreneurship street is put to the province for a decision on revocation. Nothing is revoked "
        "automatically: the city checks the facts and the province decides.",
    ),
)


def revocation_proposed(street_id: int, name: str, city: tuple[str, str], year: int) -> Message:
    """The city's and the province's notice that a street's last two yearly grades are D: the province decides
    whether to revoke it."""
    return _REVOCATION_PROPOSED.message(
        street_id=street_id, name=name, city=city[0], city_en=city[1], year=year, last=year - 1
    )


def audit_broken_key(tenant: str, row_id: int) -> str:
    """``audit-broken:{tenant}:{row}``: one notice per break found, however many nights it stays broken."""
    return f"audit-broken:{tenant}:{row_id}"


_AUDIT_BROKEN: Final = _Wording(
    "audit_broken",
    Text("审计日志校验失败：{city}", "Audit trail check failed: {city}"),
    Text(
        "{where_zh}。请核查数据库的访问记录；运行 jiequ audit verify 可重新校验。",
        "{where_en}. Check who had access to the database; jiequ audit verify checks again.",
    ),
)


def audit_broken(city: str, where: Text) -> Message:
    """The province's admins told that a tenant's audit trail no longer verifies."""
    return _AUDIT_BROKEN.message(street_id=None, city=city, where_zh=where.zh, where_en=where.en)


def claims_unverified_key(tenant: str, street_id: int, claims: Sequence[tuple[str, object]]) -> str:
    """``claims-unverified:{tenant}:{street}:{claim=value,…}``: one notice per change to verify, however often
    the same values are saved again."""
    return f"claims-unverified:{tenant}:{street_id}:" + ",".join(f"{claim}={value}" for claim, value in claims)


_CLAIMS_UNVERIFIED: Final = _Wording(
    "claims_unverified",
    Text("待核实：{name}运营机构修改了申报事项", "To verify: the operator of {name} changed its claims"),
    Text(
        "{name}的运营机构修改了：{claims_zh}。修改后的申报须经市级核实后方计入评价，核实前按无数据处理；"
        "请在街区概况页核实或驳回。",
        "The operator of {name} changed: {claims_en}. A changed claim counts only once the city verifies it, "
        "and is no data until then; verify or reject it on the street's overview.",
    ),
)


def claims_unverified(street_id: int, name: str, claims: Sequence[Text]) -> Message:
    """The city admins told that an operator changed claims that now await their verification (待核实)."""
    return _CLAIMS_UNVERIFIED.message(
        street_id=street_id,
        name=name,
        claims_zh="、".join(c.zh for c in claims),
        claims_en=", ".join(c.en for c in claims),
    )
