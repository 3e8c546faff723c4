"""``/city/{tenant}/ledger``: the support ledger (帮扶台账) by entity name with its filters, an entity's page with
its needs, actions, outcomes and visits, and the forms that add a need, record an action, an outcome (帮扶成效) and
a visit.

Each form posts through :func:`services.web.forms.submit` into the same service as the API (services/ledger, whose
visit closes the follow-up task it satisfies in the same transaction); a refused form comes back on the entity's
page with the message beside its field and what was typed. Another city's entity or entry is the 404 page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Final, TypeVar, get_args

from litestar import Controller, get, post
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromQuery, Parameter, QueryParameter
from litestar.response import Redirect, Template

from services.deps import requires
from services.entities.schemas import EntityClass
from services.ledger.schemas import (
    LedgerEntryCreate,
    LedgerEntryUpdate,
    LedgerOutcomeCreate,
    LedgerStatus,
    LedgerVisitCreate,
    Need,
    OutcomeKind,
)
from services.ledger.service import (
    create_entry,
    create_outcome,
    create_visit,
    get_entry,
    list_entries,
    list_outcomes,
    update_entry,
)
from services.schemas import InputStruct
from services.shared.bounds import Id, IdParam
from services.streets.service import list_streets
from services.tenancy.service import get_settings
from services.text import Text
from services.web.forms import FORM_LEVEL, Form, FormError, posted, shown, submit
from services.web.ledger_reads import days_of, entity_in_city, entity_visits, ledger_page
from services.web.render import language, notice
from services.web.scope import (
    ALL,
    CITY_SCOPE,
    PER_PAGE,
    AtCity,
    CityScope,
    PageNumber,
    chosen,
    offset_of,
    page_count,
)
from services.web.session import CITY_ROLES
from tenants.calendar import today
from tenants.context import Role
from tenants.ids import TenantId

F = TypeVar("F")

NEEDS: Final[tuple[str, ...]] = get_args(Need)
LEDGER_STATUSES: Final[tuple[str, ...]] = get_args(LedgerStatus)
OUTCOME_KINDS: Final[tuple[str, ...]] = get_args(OutcomeKind)
CLASSES: Final[tuple[str, ...]] = get_args(EntityClass)
LEDGER_WRITERS: Final = (Role.CITY_ADMIN, Role.CASEWORKER)
"""Who adds needs, actions and visits (as in the API); the city's other roles and the province read."""

SAVED: Final[dict[str, Text]] = {
    "need": Text("需求已登记。", "The need was recorded."),
    "action": Text("帮扶措施已记录。", "The action was recorded."),
    "visit": Text("走访已登记，相应的走访任务已关闭。", "The visit was recorded and its follow-up task closed."),
    "outcome": Text("帮扶成效已登记。", "The outcome was recorded."),
}
"""The message after a saved form (``?saved=visit``): only these, never text from the URL."""


NESTED: Final[dict[str, tuple[str, ...]]] = {
    "visit": ("visitedOn", "notes"),
    "outcome": ("achievedOn", "graduates"),  # the day; interns have none at all
}
"""The fields a service names in a refusal that its form holds under the form's name (``visit.visitedOn``)."""


class ActionForm(InputStruct):
    """The action form: which of the entity's entries, and its new action and status."""

    entry_id: Id
    change: LedgerEntryUpdate


class VisitForm(InputStruct):
    """The visit form: which of the entity's entries it follows up, and the visit."""

    on_entry: Id
    visit: LedgerVisitCreate


class OutcomeForm(InputStruct):
    """The outcome form: which of the entity's entries it is the outcome of, and the outcome of its kind."""

    of_entry: Id
    outcome: LedgerOutcomeCreate


def entity_path(tenant_id: TenantId, entity_id: int) -> str:
    return f"/city/{tenant_id}/ledger/entities/{entity_id}"


class LedgerPages(Controller):
    """The ledger, an entity's page, and its three forms."""

    path = "/city/{tenant:str}/ledger"
    guards = [requires(*CITY_ROLES)]
    dependencies = CITY_SCOPE

    @get("/")
    async def ledger(
        self,
        at: AtCity,
        street: Annotated[str | None, Parameter(max_length=20)] = None,
        need: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        entity_class: Annotated[str | None, QueryParameter(name="class")] = None,
        page_number: PageNumber = 1,
    ) -> Template:
        street_id = _street_id(street)
        filters = {
            "need": chosen("need", need, NEEDS),
            "status": chosen("status", status, LEDGER_STATUSES),
            "class": chosen("class", entity_class, CLASSES),
        }
        streets = (await list_streets(at.db, at.actor, at.tenant_id, status=None, limit=ALL, offset=0)).items
        found = await ledger_page(
            at.db,
            at.tenant_id,
            street_id=street_id,
            need=filters["need"],
            status=filters["status"],
            entity_class=filters["class"],
            limit=PER_PAGE,
            offset=offset_of(page_number),
        )
        return at.page(
            "ledger/list.html",
            lines=found.items,
            total=found.total,
            page_number=page_number,
            pages=page_count(found.total),
            filters={"street": street or "", **{k: v or "" for k, v in filters.items()}},
            streets=[(str(s.id), s.name) for s in sorted(streets, key=lambda s: s.name)],
            needs=NEEDS,
            statuses=LEDGER_STATUSES,
            classes=CLASSES,
        )

    @get("/entities/{entity_id:int}")
    async def entity(self, at: AtCity, entity_id: IdParam) -> Template:
        return await entity_page(at, entity_id)

    @post("/entities/{entity_id:int}/needs", guards=[requires(*LEDGER_WRITERS)], status_code=303)
    async def add_need(self, at: AtCity, entity_id: IdParam) -> Template | Redirect:
        return await post_entity_form(
            at,
            entity_id,
            "need",
            LedgerEntryCreate,
            lambda data: create_entry(at.db, at.actor, at.tenant_id, data),
            given={"entityId": str(entity_id)},
            conflict="need",
        )

    @post("/entities/{entity_id:int}/action", guards=[requires(*LEDGER_WRITERS)], status_code=303)
    async def record_action(self, at: AtCity, entity_id: IdParam) -> Template | Redirect:
        return await post_entity_form(
            at,
            entity_id,
            "action",
            ActionForm,
            lambda data: update_entry(at.db, at.actor, at.tenant_id, data.entry_id, data.change),
            entry_of=lambda data: data.entry_id,
        )

    @post("/entities/{entity_id:int}/outcomes", guards=[requires(*LEDGER_WRITERS)], status_code=303)
    async def record_outcome(self, at: AtCity, entity_id: IdParam) -> Template | Redirect:
        return await post_entity_form(
            at,
            entity_id,
            "outcome",
            OutcomeForm,
            lambda data: create_outcome(at.db, at.actor, at.tenant_id, data.of_entry, data.outcome),
            entry_of=lambda data: data.of_entry,
        )

    @post("/entities/{entity_id:int}/visits", guards=[requires(*LEDGER_WRITERS)], status_code=303)
    async def record_visit(self, at: AtCity, entity_id: IdParam) -> Template | Redirect:
        return await post_visit(at, entity_id, entity_path(at.tenant_id, entity_id))


async def post_visit(at: CityScope, entity_id: int, then: str) -> Template | Redirect:
    """Record the posted visit on one of the entity's entries (which closes the task it satisfies) and go on to
    ``then``; a refusal is shown on the entity's page (whichever page the form was on)."""
    return await post_entity_form(
        at,
        entity_id,
        "visit",
        VisitForm,
        lambda data: create_visit(at.db, at.actor, at.tenant_id, data.on_entry, data.visit),
        entry_of=lambda data: data.on_entry,
        then=then,
    )


async def post_entity_form(
    at: CityScope,
    entity_id: int,
    name: str,
    into: type[F],
    save: Callable[[F], Awaitable[object]],
    *,
    given: Mapping[str, str] | None = None,
    conflict: str = FORM_LEVEL,
    entry_of: Callable[[F], int] | None = None,
    then: str | None = None,
) -> Template | Redirect:
    """Save the entity's posted form ``name`` (with the hidden values ``given``) as ``into`` with ``save``, and go
    on to ``then`` (the entity's page by default) with ``?saved=<name>``; a refusal is shown on the entity's page,
    beside that form. Another city's entity is not found; on a form about one of the entity's entries, neither is
    an entry ``entry_of`` names that is not one of them."""
    await entity_in_city(at.db, at.tenant_id, entity_id)
    values = await posted(at.request)
    own = NESTED.get(name, ())

    async def checked(data: F) -> object:
        if entry_of is not None:
            await _own_entry(at, entity_id, entry_of(data))
        return await save(data)

    try:
        await submit(at.db, {**values, **(given or {})}, into, checked, fields=own, conflict=conflict)
    except FormError as refused:
        problems = {f"{name}.{k}" if k in own else k: text for k, text in refused.problems.items()}
        form = shown(values, problems, language(at.request))
        return await entity_page(at, entity_id, {name: form}, status_code=422)
    return Redirect(f"{then or entity_path(at.tenant_id, entity_id)}?saved={name}", status_code=303)


async def _own_entry(at: CityScope, entity_id: int, entry_id: int) -> None:
    """The entry must be one of the entity's: any other (another entity's, another city's) is not found."""
    if (await get_entry(at.db, at.tenant_id, entry_id)).entity_id != entity_id:
        raise NotFoundException()


async def entity_page(
    at: CityScope, entity_id: int, forms: dict[str, Form] | None = None, *, status_code: int = 200
) -> Template:
    """An entity's page: its needs with their actions, its visits, and the forms (``forms`` as refused)."""
    db, tenant_id = at.db, at.tenant_id
    entity, street_name = await entity_in_city(db, tenant_id, entity_id)
    entries = (
        await list_entries(db, tenant_id, status=None, entity_id=entity_id, street_id=None, limit=ALL, offset=0)
    ).items
    entries = sorted(entries, key=lambda e: (e.status == "resolved", -e.opened_on.toordinal(), -e.id))
    visits = await entity_visits(db, tenant_id, entity_id)
    outcomes = (await list_outcomes(db, tenant_id, entity_id=entity_id)).items
    cadence = (await get_settings(db, tenant_id)).followup_days
    first = str(entries[0].id) if entries else ""
    blank = {
        "need": Form(values={"status": "open"}),
        "action": Form(values={"entryId": first}),
        "visit": Form(values={"onEntry": first, "visit.visitedOn": today().isoformat()}),
        "outcome": Form(values={"ofEntry": first, "outcome.achievedOn": today().isoformat()}),
    }
    return at.page(
        "ledger/entity.html",
        status_code=status_code,
        entity=entity,
        street_name=street_name,
        entries=entries,
        entry_names={e.id: e.need for e in entries},
        visits=visits,
        outcomes=outcomes,
        outcome_kinds=OUTCOME_KINDS,
        cadence_days=days_of(cadence, entity.entity_class),
        last_visit=visits[0].visited_on if visits else None,
        forms={**blank, **(forms or {})},
        writer=at.actor.role in LEDGER_WRITERS,
        saved=notice(at.request, "saved", SAVED),
        needs=NEEDS,
        statuses=LEDGER_STATUSES,
    )


def _street_id(value: str | None) -> int | None:
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise ValidationException(f"street: {value}")
    return int(value)
