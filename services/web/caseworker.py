"""``/city/{tenant}/caseworker``: the caseworker's home (帮扶专员首页), where a caseworker lands after signing in.

The follow-up tasks that are overdue come first, the longest overdue at the top, by entity name and street, with
the cadence of the entity's class (from the city's settings) and the days overdue; then the entities due a visit
within a week that no task stands for yet. Each has a button that records today's visit on the entity's ledger
(services/ledger, which closes the task the visit satisfies in the same transaction), and a task can be closed
with a reason (services/followups).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from litestar import Controller, get, post
from litestar.response import Redirect, Template

from services.deps import requires
from services.followups.schemas import TaskClose
from services.followups.service import close_task, list_tasks
from services.shared.bounds import IdParam
from services.tenancy.service import get_settings
from services.text import Text
from services.web.forms import Form, FormError, posted, shown, submit
from services.web.ledger_pages import LEDGER_WRITERS, post_visit
from services.web.ledger_reads import days_of, due_soon, entity_facts
from services.web.render import language, notice
from services.web.scope import CITY_SCOPE, PER_PAGE, AtCity, CityScope, PageNumber, offset_of, page_count
from tenants.calendar import today

WEEK: Final = dt.timedelta(days=7)
SAVED: Final[dict[str, Text]] = {
    "visit": Text("走访已登记，该走访任务已关闭。", "The visit was recorded and its task closed."),
    "closed": Text("走访任务已关闭。", "The follow-up task was closed."),
}
"""The message after a saved form (``?saved=visit``): only these, never text from the URL."""


class CaseworkerPages(Controller):
    """The caseworker's home, and its two buttons: record the visit, close the task with a reason."""

    path = "/city/{tenant:str}/caseworker"
    guards = [requires(*LEDGER_WRITERS)]
    dependencies = CITY_SCOPE

    @get("/")
    async def home(self, at: AtCity, page_number: PageNumber = 1) -> Template:
        return await _home(at, page_number)

    @post("/entities/{entity_id:int}/visit", status_code=303)
    async def visit(self, at: AtCity, entity_id: IdParam) -> Template | Redirect:
        # The button sends today's date and the entity's entry: back to the list, or the refusal on the entity's page.
        return await post_visit(at, entity_id, f"/city/{at.tenant_id}/caseworker")

    @post("/tasks/{task_id:int}/close", status_code=303)
    async def close(self, at: AtCity, task_id: IdParam) -> Template | Redirect:
        values = await posted(at.request)
        try:
            await submit(
                at.db, values, TaskClose, lambda data: close_task(at.db, at.actor, at.tenant_id, task_id, data.reason)
            )
        except FormError as refused:
            form = shown(values, refused.problems, language(at.request))
            return await _home(at, 1, refused=(task_id, form), status_code=422)
        return Redirect(f"/city/{at.tenant_id}/caseworker?saved=closed", status_code=303)


async def _home(
    at: CityScope, page_number: int, *, refused: tuple[int, Form] | None = None, status_code: int = 200
) -> Template:
    db, tenant_id = at.db, at.tenant_id
    now = today()
    cadence = (await get_settings(db, tenant_id)).followup_days
    tasks = await list_tasks(
        db, tenant_id, status="open", street_id=None, limit=PER_PAGE, offset=offset_of(page_number)
    )
    facts = await entity_facts(db, tenant_id, (task.entity_id for task in tasks.items))
    rows = [
        {
            "task": task,
            "entity_class": facts[task.entity_id].entity_class if task.entity_id in facts else None,
            "entry_id": facts[task.entity_id].entry_id if task.entity_id in facts else None,
            "overdue": (now - task.due_on).days,
        }
        for task in tasks.items
    ]
    soon = await due_soon(db, tenant_id, now, now + WEEK, cadence, limit=PER_PAGE) if page_number == 1 else []
    listed = {task.id for task in tasks.items}
    # A refusal about a task no longer listed (closed meanwhile) is said at the top of the page.
    elsewhere = refused[1].problem if refused and refused[0] not in listed else None
    return at.page(
        "caseworker/home.html",
        status_code=status_code,
        today=now.isoformat(),
        rows=rows,
        total=tasks.total,
        page_number=page_number,
        pages=page_count(tasks.total),
        soon=[{"due": due, "days": (now - due.due_on).days} for due in soon],
        cadence={"startup": cadence.startup, "growth": cadence.growth, "brand": cadence.brand},
        days_of=lambda entity_class: days_of(cadence, entity_class),
        refused_task=refused[0] if refused else None,
        refused_form=refused[1] if refused else Form(),
        saved=notice(at.request, "saved", SAVED),
        problem=elsewhere,
    )
