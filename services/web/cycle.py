"""``/city/{tenant}/cycles/{year}``: the city's annual cycle (年度流程) for its admins — the phases with their dates,
the applications and their screening by street name, the recommendation, the tracking of the designated
streets, the year-end verdicts; starting the year's cycle and changing the application window, each with its
consequences stated before it is confirmed.

Everything about the cycle is read and changed through services/cycles (the workflows' own answers, through
the thin client): the page shows what the cycle holds and the cycle's own refusals.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

import msgspec
from litestar import Controller, get, post
from litestar.response import Redirect, Template

from infra.settings import Settings
from services.cycles import service
from services.cycles.schemas import ApplicationCreate, Cycle, RecommendationCreate, TrackedStreet, YearEnd
from services.deps import Temporal, TemporalConnect, app_context, requires
from services.errors import DomainError, NotFoundError
from services.notifications.webhook import WebhookPolicy
from services.rulesets.service import get_rules
from services.shared.bounds import YearParam
from services.streets.service import list_streets
from services.tenancy.schemas import TenantConfigUpdate
from services.tenancy.service import CycleChanges, get_settings, replace_settings
from services.text import Text
from services.web.cycle_steps import closed_note, ranking, start_consequences, timeline, window_consequences
from services.web.forms import FormBody, posted, ticked
from services.web.refusals import attempt, message
from services.web.render import language, notice
from services.web.scope import ALL, CITY_SCOPE, AtCity, CityScope
from services.web.session import CITY_ROLES
from tenants.calendar import today
from tenants.config import window_problem
from tenants.context import Role
from tenants.ids import TenantId
from workflows.cycle.schemas import cycle_id, window_dates

DONE: Final = {
    "started": Text("年度流程已启动。", "The cycle has started."),
    "applied": Text("申报已提交。", "The application was recorded."),
    "recommended": Text("推荐已提交省厅。", "The recommendation went to the province."),
    "window": Text("申报窗口已保存。", "The application window was saved."),
}
CHOOSE: Final = Text("请至少选择一个街区。", "Choose at least one street.")
PICK_STREET: Final = Text("请选择要申报的街区。", "Choose the street to apply.")
_STREET_ID: Final = re.compile(r"(街区|street) (\d+) ?")
_CRITERION_ID: Final = re.compile(r"\b[a-z][a-z0-9_]*\b")


@dataclass
class ApplyForm:
    streetId: str = ""  # noqa: N815 - the API's field name, so a refusal naming it lands beside it


@dataclass
class WindowForm:
    opens: str = ""
    closes: str = ""
    action: str = "preview"


@dataclass(frozen=True)
class Shown:
    """What one rendering of the page adds to the cycle's state: a refusal, a window change under review."""

    error: str | None = None
    window: WindowForm | None = None
    consequences: list[Text] | None = None


class CyclePages(Controller):
    """The cycle page: the city's roles read it (the province its cities'), the city admin acts on it."""

    path = "/city/{tenant:str}/cycles/{year:int}"
    guards = [requires(*CITY_ROLES)]
    dependencies = CITY_SCOPE

    @get("/")
    async def cycle(self, at: AtCity, temporal: Temporal, year: YearParam) -> Template:
        return await _page(at, temporal, year, Shown())

    @post("/", guards=[requires(Role.CITY_ADMIN)], status_code=200)
    async def start(self, at: AtCity, temporal: Temporal, year: YearParam) -> Template | Redirect:
        context = app_context(at.request)

        async def run() -> object:
            return await service.start_cycle(
                at.db, await temporal(), context.directory, at.tenant_id, year, context.settings.task_queue
            )

        return await _done(at, temporal, year, run, "started")

    @post("/applications", guards=[requires(Role.CITY_ADMIN)], status_code=200)
    async def apply(
        self, at: AtCity, temporal: Temporal, year: YearParam, data: FormBody[ApplyForm]
    ) -> Template | Redirect:
        if not data.streetId.strip().isdigit():
            return await _page(at, temporal, year, Shown(error=PICK_STREET.get(language(at.request))))

        async def run() -> object:
            application = ApplicationCreate(street_id=int(data.streetId))
            return await service.apply(at.db, await temporal(), at.actor, at.tenant_id, year, application)

        return await _done(at, temporal, year, run, "applied")

    @post("/recommendations", guards=[requires(Role.CITY_ADMIN)], status_code=200)
    async def recommend(self, at: AtCity, temporal: Temporal, year: YearParam) -> Template | Redirect:
        ids = [int(v) for v in ticked(await posted(at.request), "streetIds") if v.isdigit()]
        if not ids:
            return await _page(at, temporal, year, Shown(error=CHOOSE.get(language(at.request))))

        async def run() -> object:
            return await service.recommend(
                await temporal(), at.actor, at.tenant_id, year, RecommendationCreate(street_ids=ids)
            )

        return await _done(at, temporal, year, run, "recommended")

    @post("/window", guards=[requires(Role.CITY_ADMIN)], status_code=200)
    async def window(
        self, at: AtCity, temporal: Temporal, year: YearParam, data: FormBody[WindowForm]
    ) -> Template | Redirect:
        """``action=preview`` states what the change does to the year's cycle; ``action=confirm`` saves it through
        the configuration service, which hands it to the running cycle (its refusal is shown, nothing saved)."""
        wanted = (data.opens.strip(), data.closes.strip())
        problem = window_problem(wanted)
        if problem is not None:
            return await _page(at, temporal, year, Shown(error=Text(*problem).get(language(at.request)), window=data))
        if data.action != "confirm":
            cycle = await _cycle_or_none(at, temporal, year)
            said = window_consequences(year, cycle, window_dates(wanted, year), today())
            return await _page(at, temporal, year, Shown(window=data, consequences=said))
        context = app_context(at.request)

        async def save() -> object:
            stored = msgspec.structs.asdict(await get_settings(at.db, at.tenant_id))
            update = TenantConfigUpdate(**{**stored, "application_window": wanted})
            return await replace_settings(
                at.db,
                at.actor,
                at.tenant_id,
                update,
                webhook_policy=WebhookPolicy(allow_http=context.settings.webhook_allow_http),
                running=CycleChanges(directory=context.directory, temporal=temporal),
            )

        saved = await attempt(at.db, save)
        if isinstance(saved, DomainError):
            return await _page(
                at, temporal, year, Shown(error=_named(message(at.request, saved), {}), window=data), 422
            )
        return Redirect(f"/city/{at.tenant_id}/cycles/{year}?done=window", status_code=303)


async def _done(
    at: CityScope, temporal: TemporalConnect, year: int, run: Callable[[], Awaitable[object]], done: str
) -> Template | Redirect:
    """Run a change to the cycle; back to the page with what was done, or the page again with the refusal in the
    reader's language."""
    result = await attempt(at.db, run)
    if isinstance(result, DomainError):
        if isinstance(result, NotFoundError):
            raise result  # another city's street, or a cycle never started: the not-found page
        names = await _street_names(at)
        lang = language(at.request)
        titles = {
            c.id: c.title_zh if lang == "zh" else c.title_en
            for c in (await get_rules(at.db, at.tenant_id, year)).criteria
        }
        refused = _titled(_named(message(at.request, result), names), titles)
        return await _page(at, temporal, year, Shown(error=refused), 422)
    return Redirect(f"/city/{at.tenant_id}/cycles/{year}?done={done}", status_code=303)


def _named(wording: str, names: dict[int, str]) -> str:
    """A refusal naming streets by id (as the workflow does) names them by their names as well."""

    def named(found: re.Match[str]) -> str:
        name = names.get(int(found[2]))
        if name is None:
            return found[0]
        return f"街区「{name}」" if found[1] == "街区" else f'street "{name}" '

    return _STREET_ID.sub(named, wording)


def _titled(wording: str, titles: dict[str, str]) -> str:
    """A refusal naming criteria by id (``activities``) names them by their titles, as the page does."""
    return _CRITERION_ID.sub(lambda found: titles.get(found[0], found[0]), wording)


async def _street_names(at: CityScope) -> dict[int, str]:
    streets = (await list_streets(at.db, at.actor, at.tenant_id, status=None, limit=ALL, offset=0)).items
    return {street.id: street.name for street in streets}


async def _cycle_or_none(at: CityScope, temporal: TemporalConnect, year: int) -> Cycle | None:
    try:
        directory = app_context(at.request).directory
        return await service.get_cycle(at.db, await temporal(), directory, at.tenant_id, year)
    except NotFoundError:
        return None


async def _page(
    at: CityScope, temporal: TemporalConnect, year: int, shown: Shown, status_code: int | None = None
) -> Template:
    context = app_context(at.request)
    client = await temporal()
    cycle = await _cycle_or_none(at, temporal, year)
    settings = await get_settings(at.db, at.tenant_id)
    names = await _street_names(at)
    problem = window_problem(settings.application_window)
    configured = window_dates(settings.application_window, year) if problem is None else None
    year_end: YearEnd | None = None
    tracked: list[TrackedStreet] = []
    target: int | None = None
    if cycle is not None:
        if cycle.phase in ("reevaluation", "closed"):
            year_end = await service.get_year_end(client, at.tenant_id, year)
        if cycle.tracked:
            tracked = await service.get_tracking(client, at.tenant_id, year, cycle.tracked)
        if cycle.province is not None and cycle.phase not in ("application", "screening"):
            target = await service.selection_target(client, cycle.province, year)
    titles = (
        {c.id: Text(c.title_zh, c.title_en) for c in (await get_rules(at.db, at.tenant_id, year)).criteria}
        if cycle is not None
        else {}
    )
    this_year = today().year
    actor, tenant_id = at.actor, at.tenant_id
    return at.page(
        "cycle/cycle.html",
        status_code=status_code or (422 if shown.error else 200),
        year=year,
        cycle=cycle,
        steps=timeline(cycle, year_end) if cycle is not None else [],
        closed=closed_note(cycle) if cycle is not None else None,
        ranking=ranking(cycle.screening) if cycle is not None else [],
        screened={c.street_id: c for c in cycle.screening} if cycle is not None else {},
        year_end=year_end,
        verdicts={c.street_id: c for c in year_end.assessed} if year_end is not None else {},
        reverdicts={c.street_id: c for c in year_end.reassessed} if year_end is not None else {},
        tracked=tracked,
        target=target,
        names=names,
        titles=titles,
        can_start=this_year <= year <= this_year + 1,
        start_lines=start_consequences(year, configured, Text(*problem) if problem else None),
        configured=settings.application_window,
        error=shown.error,
        window=shown.window,
        consequences=shown.consequences,
        done=notice(at.request, "done", DONE),
        writer=actor.role == Role.CITY_ADMIN and actor.can_write(tenant_id),
        temporal_ui=_temporal_link(context.settings, cycle, tenant_id, year) if actor.role == Role.CITY_ADMIN else None,
    )


def _temporal_link(settings: Settings, cycle: Cycle | None, tenant_id: TenantId, year: int) -> str:
    """The cycle's workflow in Temporal's UI, for the technical admin (the page itself never reads it)."""
    workflow_id = cycle.workflow_id if cycle is not None else cycle_id(tenant_id, year)
    return f"{settings.temporal_ui}/namespaces/{settings.temporal_namespace}/workflows/{workflow_id}"
