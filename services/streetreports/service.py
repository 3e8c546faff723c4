"""Monthly reports (one per street and month), survey answers and their summary, internship positions."""

from __future__ import annotations

import datetime as dt

import msgspec
from sqlalchemy import Table, extract, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services import models
from services.audit.service import record
from services.errors import ConflictError, NotFoundError
from services.models.base import utcnow
from services.shared.checks import FieldProblem, found, future_date, raise_first
from services.shared.imports import ImportResult, StreetImport
from services.shared.names import entity_name, with_entity_name
from services.shared.paging import Page, fetch_page
from services.shared.shapes import shape_of, street_row
from services.shared.writes import assign_given, insert_rows, save_recorded
from services.streetreports.schemas import (
    SURVEY_COLUMNS,
    Internship,
    InternshipCreate,
    InternshipUpdate,
    MonthlyReport,
    MonthlyReportCreate,
    MonthlyReportReplace,
    SurveyAnswer,
    SurveyCreated,
    SurveyResponse,
    SurveySubmission,
    SurveySummary,
)
from services.streets.service import street_of
from services.tenancy.service import get_settings
from tenants.calendar import today
from tenants.context import Actor
from tenants.ids import TenantId

SURVEY_TABLE: Table = models.SurveyResponse.__table__  # type: ignore[attr-defined]  # SQLModel declares it untyped
SATISFIED_FROM = 4
"""Ratings 4 (satisfied) and 5 (very satisfied) count as satisfied (满意、非常满意)."""


# ------------------------------------------------------------------------------------------ monthly reports


def _month_start(month: str) -> dt.date:
    """The first day of ``YYYY-MM``, or 422 when it is no real month since 1949 or has not begun yet."""
    try:
        start = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        start = dt.date.min
    if start.year < 1949:
        raise FieldProblem(
            "month", f"“{month}”不是 1949 年以来的月份（YYYY-MM）", f"'{month}' is not a month since 1949 (YYYY-MM)"
        ).error()
    if start > today().replace(day=1):
        raise FieldProblem(
            "month", f"不能提交未来月份（{month}）的月报", f"cannot report on a future month ({month})"
        ).error()
    return start


def _interns_problem(data: MonthlyReportCreate | MonthlyReportReplace) -> FieldProblem | None:
    """Interns taken on (招用) fill the month's internship positions: more of them than positions is a mistake."""
    taken = data.interns_graduates + data.interns_other_youth
    if taken <= data.internship_positions:
        return None
    return FieldProblem(
        "internsGraduates",
        f"招用见习人数（高校毕业生 {data.interns_graduates} + 其他青年 {data.interns_other_youth} = {taken}）"
        f"不能多于本月见习岗位数 internshipPositions（{data.internship_positions}）",
        f"interns taken on (internsGraduates {data.interns_graduates} + internsOtherYouth "
        f"{data.interns_other_youth} = {taken}) cannot exceed the month's internshipPositions "
        f"({data.internship_positions})",
    )


def _report_out(row: models.MonthlyReport) -> MonthlyReport:
    return shape_of(MonthlyReport, row, month=row.month.strftime("%Y-%m"))


async def list_reports(
    session: AsyncSession,
    actor: Actor,
    tenant: TenantId,
    street_id: int,
    *,
    year: int | None,
    limit: int,
    offset: int,
) -> Page[MonthlyReport]:
    await street_of(session, tenant, street_id, actor)
    query = select(models.MonthlyReport).where(
        models.MonthlyReport.tenant_id == tenant, models.MonthlyReport.street_id == street_id
    )
    if year is not None:
        query = query.where(extract("year", col(models.MonthlyReport.month)) == year)
    page = await fetch_page(session, query.order_by(col(models.MonthlyReport.month)), limit=limit, offset=offset)
    return page.map(lambda row: _report_out(row[0]))


async def create_report(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, data: MonthlyReportCreate
) -> MonthlyReport:
    """The month's report; a second one for the same month is a conflict (correct it with a PUT)."""
    await street_of(session, tenant, street_id, actor)
    month = _month_start(data.month)
    raise_first(found(_interns_problem(data)))
    if await session.get(models.MonthlyReport, (tenant, street_id, month)) is not None:
        raise ConflictError(
            f"{data.month} 的月报已提交，如需更正请使用 PUT …/reports/{data.month} / "
            f"the report for {data.month} was already submitted: correct it with PUT …/reports/{data.month}"
        )
    row = models.MonthlyReport(**street_row(tenant, street_id, data, month=month, submitted_by=actor.username))
    return await save_recorded(
        session,
        actor,
        tenant,
        "report.create",
        row,
        _report_out,
        object_type="monthly_report",
        object_id=f"{street_id}:{data.month}",
    )


async def replace_report(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, month: str, data: MonthlyReportReplace
) -> MonthlyReport:
    """Correct a submitted report (404 when there is none yet: submitting is a POST)."""
    await street_of(session, tenant, street_id, actor)
    row = await session.get(models.MonthlyReport, (tenant, street_id, _month_start(month)), with_for_update=True)
    if row is None:
        raise NotFoundError(f"{month} 的月报尚未提交 / no report for {month} yet")
    raise_first(found(_interns_problem(data)))
    before = _report_out(row)
    assign_given(row, data, "jobs_driven", "internship_positions", "interns_graduates", "interns_other_youth", "notes")
    row.submitted_by, row.submitted_at = actor.username, utcnow()
    return await save_recorded(
        session,
        actor,
        tenant,
        "report.replace",
        row,
        _report_out,
        object_type="monthly_report",
        object_id=f"{street_id}:{month}",
        before=before,
    )


# ------------------------------------------------------------------------------------------------ surveys


def _answers(data: SurveySubmission) -> list[SurveyAnswer]:
    """The answers of either form; mixing the two or giving half of one is a 422."""
    single = data.responded_on is not None or data.rating is not None
    if data.responses is not None:
        if single:
            raise FieldProblem(
                "responses",
                "请只提交单份答卷或批量 responses 之一",
                "give either one answer (respondedOn, rating) or a batch (responses), not both",
            ).error()
        answers = data.responses
    elif data.responded_on is None or data.rating is None:
        missing = "respondedOn" if data.responded_on is None else "rating"
        raise FieldProblem(missing, f"缺少 {missing}", f"{missing} is required").error()
    else:
        answers = [SurveyAnswer(responded_on=data.responded_on, rating=data.rating)]
    for index, answer in enumerate(answers):
        field = "respondedOn" if data.responses is None else f"responses[{index}].respondedOn"
        raise_first(found(future_date(field, answer.responded_on)))
    return answers


async def create_surveys(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, data: SurveySubmission
) -> SurveyCreated:
    """One answer or a batch, all stored or none, with one audit row."""
    await street_of(session, tenant, street_id, actor)
    answers = _answers(data)
    ids = await insert_rows(session, SURVEY_TABLE, [street_row(tenant, street_id, a) for a in answers])
    await record(session, actor, tenant, "survey.create", "street", street_id, after={"count": len(answers)})
    responses = [
        SurveyResponse(id=id_, responded_on=a.responded_on, rating=a.rating)
        for id_, a in zip(ids, answers, strict=True)
    ]
    return SurveyCreated(created=len(answers), responses=responses)


async def survey_summary(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, *, year: int | None
) -> SurveySummary:
    await street_of(session, tenant, street_id, actor)
    query = (
        select(models.SurveyResponse.rating, func.count())
        .where(models.SurveyResponse.tenant_id == tenant, models.SurveyResponse.street_id == street_id)
        .group_by(col(models.SurveyResponse.rating))
    )
    if year is not None:
        query = query.where(extract("year", col(models.SurveyResponse.responded_on)) == year)
    counts = {int(rating): int(count) for rating, count in (await session.execute(query)).all()}
    total = sum(counts.values())
    satisfied = sum(count for rating, count in counts.items() if rating >= SATISFIED_FROM)
    min_sample = (await get_settings(session, tenant)).survey_min_sample
    return SurveySummary(
        year=year,
        responses=total,
        satisfied=satisfied,
        satisfaction=satisfied / total if total else None,
        by_rating={str(rating): counts.get(rating, 0) for rating in range(1, 6)},
        min_sample=min_sample,
        enough_sample=total >= min_sample,
    )


# ------------------------------------------------------------------------------------ internship positions


def _internship_out(row: models.InternshipPosition, entity_name: str | None) -> Internship:
    return shape_of(Internship, row, entity_name=entity_name)


async def _entity_name(session: AsyncSession, tenant: TenantId, entity_id: int | None) -> str | None:
    return None if entity_id is None else await entity_name(session, tenant, entity_id)


def _closed_before_opened(opened_on: dt.date, closed_on: dt.date | None) -> FieldProblem | None:
    if closed_on is None or closed_on >= opened_on:
        return None
    return FieldProblem(
        "closedOn",
        f"结束日期 {closed_on} 早于开放日期 {opened_on}",
        f"closedOn {closed_on} is before openedOn {opened_on}",
    )


async def list_internships(
    session: AsyncSession,
    actor: Actor,
    tenant: TenantId,
    street_id: int,
    *,
    open_on: dt.date | None,
    limit: int,
    offset: int,
) -> Page[Internship]:
    await street_of(session, tenant, street_id, actor)
    position = models.InternshipPosition
    query = with_entity_name(select(position), position, outer=True).where(
        position.tenant_id == tenant, position.street_id == street_id
    )
    if open_on is not None:
        query = query.where(col(position.opened_on) <= open_on).where(
            col(position.closed_on).is_(None) | (col(position.closed_on) >= open_on)
        )
    page = await fetch_page(
        session, query.order_by(col(position.opened_on), col(position.id)), limit=limit, offset=offset
    )
    return page.map(lambda found: _internship_out(*found))


async def create_internship(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, data: InternshipCreate
) -> Internship:
    await street_of(session, tenant, street_id, actor)
    raise_first(found(_closed_before_opened(data.opened_on, data.closed_on)))
    if data.entity_id is not None:
        entity = await session.get(models.Entity, (tenant, data.entity_id))
        if entity is None or entity.street_id != street_id:
            raise FieldProblem(
                "entityId",
                f"本街区没有编号为 {data.entity_id} 的创业实体",
                f"entityId {data.entity_id} is not an entity of this street",
            ).error()
    row = models.InternshipPosition(**street_row(tenant, street_id, data))
    name = await _entity_name(session, tenant, data.entity_id)
    return await save_recorded(
        session,
        actor,
        tenant,
        "internship.create",
        row,
        lambda r: _internship_out(r, name),
        object_type="internship_position",
    )


async def update_internship(
    session: AsyncSession,
    actor: Actor,
    tenant: TenantId,
    street_id: int,
    internship_id: int,
    data: InternshipUpdate,
) -> Internship:
    await street_of(session, tenant, street_id, actor)
    row = await session.get(models.InternshipPosition, (tenant, internship_id), with_for_update=True)
    if row is None or row.street_id != street_id:
        raise NotFoundError(f"见习岗位 {internship_id} 不存在 / internship position {internship_id} not found")
    name = await _entity_name(session, tenant, row.entity_id)
    before = _internship_out(row, name)
    if not isinstance(data.closed_on, msgspec.UnsetType):
        raise_first(found(_closed_before_opened(row.opened_on, data.closed_on)))
        row.closed_on = data.closed_on
    assign_given(row, data, "title")
    return await save_recorded(
        session,
        actor,
        tenant,
        "internship.update",
        row,
        lambda r: _internship_out(r, name),
        object_type="internship_position",
        before=before,
    )


# ---------------------------------------------------------------------------------------- survey import


def _answer_problems(answer: SurveyAnswer) -> list[FieldProblem]:
    return found(future_date("respondedOn", answer.responded_on))


_SURVEY_IMPORT = StreetImport(SURVEY_COLUMNS, SurveyAnswer, _answer_problems, SURVEY_TABLE, street_row, "survey.import")


async def import_surveys(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, filename: str, data: bytes
) -> ImportResult:
    """Survey answers from a CSV or XLSX, every row or none, like the entities import."""
    await street_of(session, tenant, street_id, actor)
    return await _SURVEY_IMPORT.run(session, actor, tenant, street_id, filename, data)
