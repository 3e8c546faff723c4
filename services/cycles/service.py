"""The annual cycle for the HTTP layer: start and read a city's cycle, apply, recommend; read the province's
selection and designate. Every call goes to the workflows through the thin client (workflows/client.py);
the workflows' validators and activities are what decide, this module only checks who may ask and maps
the answers to domain errors.

And one step of the re-evaluation that its activity runs: `propose_revocations`, the streets graded D two
years running put to the province for a decision (never revoked here).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import msgspec
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client
from temporalio.service import RPCError

from services import models
from services.cycles.schemas import (
    ApplicationCreate,
    Cycle,
    DesignationCreate,
    Pilot,
    RecommendationCreate,
    Selection,
    TrackedStreet,
    YearEnd,
)
from services.errors import InvalidError, NotFoundError, UnavailableError
from services.grades.service import latest_grades
from services.notifications.messages import revocation_proposed, revocation_proposed_key
from services.notifications.schemas import Audience, Message
from services.notifications.service import WebhookNotice, send
from services.province_report.service import own_province, province_cities
from services.shared.names import street_names
from services.streets.service import street_of
from services.tenancy.service import get_settings
from tenants.calendar import today
from tenants.config import window_problem
from tenants.context import Actor
from tenants.ids import TenantId
from tenants.registry import TenantInfo
from tenants.resolver import TenantDirectory, resolve
from workflows import client as cycles
from workflows.cycle.schemas import Application, Designation, Due, Recommendation, window_dates
from workflows.tracking import client as tracking


def _cycle(tenant: str, year: int) -> tuple[str, str]:
    return f"{tenant} {year} 年度流程", f"the {year} cycle of {tenant}"


def _selection(province: str, year: int) -> tuple[str, str]:
    return f"{province} {year} 年省级评选", f"the {year} selection of {province}"


def _not_started(what: tuple[str, str]) -> NotFoundError:
    return NotFoundError(f"{what[0]}尚未启动 / {what[1]} has not been started")


@contextlib.contextmanager
def _answers(what: tuple[str, str]) -> Iterator[None]:
    """The workflows' refusals as 404 and 422, Temporal being unreachable (or no worker answering) as 503."""
    try:
        yield
    except cycles.CycleNotFoundError as exc:
        raise _not_started(what) from exc
    except cycles.CycleRejectedError as exc:
        raise InvalidError(str(exc)) from exc
    except RPCError as exc:
        raise UnavailableError(f"流程服务暂不可用 / the workflow service did not answer: {exc.message}") from exc


async def get_cycle(
    session: AsyncSession, client: Client, directory: TenantDirectory, tenant: TenantId, year: int
) -> Cycle:
    """The city's cycle as it stands; until its opening has read them, the province and the window are the
    ones it will use: the city's province and the configured window (API.md: the view fills them in)."""
    what = _cycle(tenant, year)
    with _answers(what):
        view = await cycles.cycle_view(client, tenant, year)
    if view is None:
        raise _not_started(what)
    if view.province is None:
        info = directory.get(tenant)
        view = msgspec.structs.replace(view, province=info.parent if info is not None else None)
    if view.application_window is None:
        configured = (await get_settings(session, tenant)).application_window
        if window_problem(configured) is None:
            window = window_dates(configured, year)
            due = (Due(kind="applications", due_on=window[1]),) if view.phase == "application" else ()
            view = msgspec.structs.replace(view, application_window=window, due=due + view.due)
    return Cycle.of(view)


async def start_cycle(
    session: AsyncSession, client: Client, directory: TenantDirectory, tenant: TenantId, year: int, task_queue: str
) -> tuple[Cycle, bool]:
    """Start the city's cycle of `year`, or find it: (the cycle, whether this call started it)."""
    info = directory.get(tenant)
    if info is None or info.is_province:
        raise InvalidError(f"{tenant} 不是地市，没有年度流程 / {tenant} is not a city and has no annual cycle")
    # A past year's cycle would run straight to its re-evaluation and judge today's designated streets by
    # that year's (missing) data; the next year's may start early, to open its applications on 1 January.
    this_year = today().year
    if not this_year <= year <= this_year + 1:
        raise InvalidError(
            f"只能启动 {this_year} 或 {this_year + 1} 年度流程"
            f" / only the {this_year} or {this_year + 1} cycle can start"
        )
    with _answers(_cycle(tenant, year)):
        created = await cycles.start_cycle(client, tenant, year, task_queue)
    return await get_cycle(session, client, directory, tenant, year), created


async def apply(
    session: AsyncSession, client: Client, actor: Actor, tenant: TenantId, year: int, data: ApplicationCreate
) -> Cycle:
    """Apply a street for the year's selection: an operator its own street (another's answers 404)."""
    await street_of(session, tenant, data.street_id, actor)
    application = Application(street_id=data.street_id, applied_by=actor.username)
    with _answers(_cycle(tenant, year)):
        return Cycle.of(await cycles.apply(client, tenant, year, application))


async def recommend(client: Client, actor: Actor, tenant: TenantId, year: int, data: RecommendationCreate) -> Cycle:
    recommendation = Recommendation(street_ids=tuple(data.street_ids), recommended_by=actor.username)
    with _answers(_cycle(tenant, year)):
        return Cycle.of(await cycles.recommend(client, tenant, year, recommendation))


async def get_tracking(client: Client, tenant: TenantId, year: int, street_ids: list[int]) -> list[TrackedStreet]:
    """Each street's monthly reports of `year` as its tracking workflow holds them: submitted, due, missing (the
    operator was reminded) or escalated (the caseworkers were told); a street not tracked that year is left out."""
    with _answers(_cycle(tenant, year)):
        found = await asyncio.gather(
            *(tracking.street_year_status(client, tenant, street_id, year) for street_id in street_ids)
        )
    return [TrackedStreet.of(status) for status in found if status is not None]


async def get_year_end(client: Client, tenant: TenantId, year: int) -> YearEnd | None:
    """The city's re-evaluation of `year` (retained, rectification, revoked, with each verdict); None before it runs."""
    with _answers(_cycle(tenant, year)):
        view = await cycles.reevaluation_view(client, tenant, year)
    return YearEnd.of(view) if view is not None else None


async def selection_target(client: Client, province: str, year: int) -> int | None:
    """The pilot target (试点名额) the province's selection of `year` holds; None until the selection starts (with
    the province's first recommendation), which reads it from the province's configuration then."""
    with _answers(_selection(province, year)):
        view = await cycles.selection_view(client, province, year)
    return view.target if view is not None else None


async def get_selection(client: Client, actor: Actor, province: str, year: int) -> Selection:
    """The province's ranking of all cities' recommendations (404 until a city has recommended)."""
    own = own_province(actor, province)
    what = _selection(own, year)
    with _answers(what):
        view = await cycles.selection_view(client, own, year)
    if view is None:
        raise _not_started(what)
    return Selection.of(view)


async def designate(client: Client, actor: Actor, province: str, year: int, data: DesignationCreate) -> Selection:
    own = own_province(actor, province)
    reason = (data.override_reason or "").strip() or None
    designation = Designation(street_ids=tuple(data.street_ids), designated_by=actor.username, override_reason=reason)
    with _answers(_selection(own, year)):
        return Selection.of(await cycles.designate(client, own, year, designation))


PILOT_STATUSES = ("pilot", "designated")


async def province_pilots(
    session: AsyncSession, actor: Actor, directory: TenantDirectory, province: str
) -> list[Pilot]:
    """The pilots and designated streets of the province's cities as they stand, city by city, by name."""
    own = own_province(actor, province)
    cities = [resolve(actor, city.slug) for city in province_cities(actor, directory, own)]
    street = models.Street
    query = (
        select(street.tenant_id, street.id, street.name, street.status)
        .where(col(street.tenant_id).in_(cities), col(street.status).in_(PILOT_STATUSES))
        .order_by(col(street.tenant_id), col(street.name))
    )
    return [Pilot(tenant=t, street_id=i, name=n, status=s) for t, i, n, s in (await session.execute(query)).all()]


class RevocationProposal(msgspec.Struct, frozen=True, kw_only=True):
    """A street whose last two yearly grades are D (不合格): its revocation is put to the province, which decides."""

    street_id: int
    name: str
    reason_zh: str
    reason_en: str
    webhooks: tuple[tuple[str, WebhookNotice], ...]
    """What the city's and the province's webhooks should post, by tenant (none without a webhook)."""


async def propose_revocations(
    session: AsyncSession, city: TenantId, province: TenantId, info: TenantInfo, year: int, street_ids: list[int]
) -> list[RevocationProposal]:
    """The streets among `street_ids` graded D in `year` and in the year before (each by its latest assessment of
    the year not voided), each told once to the city's admins and the province's admins.

    The decision stays with people: nothing is revoked here. `info` is the city's, for the province's wording.
    The notices are deduplicated by street and year, so a retried activity writes nothing twice.
    """
    grades = await latest_grades(session, city, street_ids, [year - 1, year])
    names = await street_names(session, city, street_ids)
    proposals = []
    for street_id in street_ids:
        by_year = {g.year: g.grade for g in grades.get(street_id, [])}
        if by_year.get(year) != "D" or by_year.get(year - 1) != "D":
            continue
        name = names[street_id]
        key = revocation_proposed_key(city, street_id, year)
        message = revocation_proposed(street_id, name, (info.name_zh, info.name_en), year)
        told: tuple[tuple[TenantId, Audience, Message], ...] = (
            (city, "city_admins", message),
            # The province's rows cannot link a city's street: the message names it.
            (province, "province_admins", msgspec.structs.replace(message, street_id=None)),
        )
        webhooks = []
        for tenant, audience, said in told:
            sent = await send(session, tenant, [audience], said, key)
            if sent.webhook is not None:
                webhooks.append((str(tenant), sent.webhook))
        proposals.append(
            RevocationProposal(
                street_id=street_id,
                name=name,
                reason_zh=message.title_zh,
                reason_en=message.title_en,
                webhooks=tuple(webhooks),
            )
        )
    return proposals
