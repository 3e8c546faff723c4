"""``/api/tenants/{tenant}/ledger``: the city's support ledger and its follow-up visits."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, patch, post
from litestar.params import FromQuery, JSONBody

from services.audit.service import record_read
from services.deps import At, requires
from services.ledger import service
from services.ledger.schemas import (
    LedgerEntry,
    LedgerEntryCreate,
    LedgerEntryUpdate,
    LedgerOutcome,
    LedgerOutcomeCreate,
    LedgerStatus,
    LedgerVisit,
    LedgerVisitCreate,
)
from services.shared.bounds import IdParam, id_query
from services.shared.paging import TOTAL_COUNT_HEADERS, Limit, Offset, paged
from tenants.context import Role

WRITERS = requires(Role.CITY_ADMIN, Role.CASEWORKER)


class LedgerController(Controller):
    path = "/api/tenants/{tenant:str}/ledger"
    tags = ["ledger"]
    # The ledger is the city's record of support: operators do not see it.
    guards = [requires(Role.CITY_ADMIN, Role.CASEWORKER, Role.VIEWER, Role.DEPARTMENT_VIEWER, Role.PROVINCE_ADMIN)]

    @get("/", summary="帮扶台账 / the support ledger", response_headers=TOTAL_COUNT_HEADERS)
    async def list_entries(
        self,
        at: At,
        status: FromQuery[LedgerStatus | None] = None,
        entity_id: Annotated[int | None, id_query("entityId", "只看该实体 / only this entity")] = None,
        street_id: Annotated[int | None, id_query("streetId", "只看该街区 / only this street")] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Response[list[LedgerEntry]]:
        read = await service.list_entries(
            at.db, at.tenant_id, status=status, entity_id=entity_id, street_id=street_id, limit=limit, offset=offset
        )
        await record_read(
            at.db, at.actor, at.tenant_id, "ledger", "list", rows=len(read.items), entities=_ids(read.items)
        )
        return paged(read)

    @post("/", guards=[WRITERS], summary="新建台账记录 / record a need")
    async def create_entry(self, at: At, data: JSONBody[LedgerEntryCreate]) -> LedgerEntry:
        return await service.create_entry(at.db, at.actor, at.tenant_id, data)

    @get("/{entry_id:int}", summary="台账记录 / one ledger entry")
    async def get_entry(self, at: At, entry_id: IdParam) -> LedgerEntry:
        entry = await service.get_entry(at.db, at.tenant_id, entry_id)
        await record_read(at.db, at.actor, at.tenant_id, "ledger_entry", entry_id, entities=[entry.entity_id])
        return entry

    @patch("/{entry_id:int}", guards=[WRITERS], summary="更新台账记录 / change status or action")
    async def update_entry(self, at: At, entry_id: IdParam, data: JSONBody[LedgerEntryUpdate]) -> LedgerEntry:
        return await service.update_entry(at.db, at.actor, at.tenant_id, entry_id, data)

    @get(
        "/{entry_id:int}/visits",
        summary="跟踪走访记录 / the entry's follow-up visits",
        response_headers=TOTAL_COUNT_HEADERS,
    )
    async def list_visits(
        self, at: At, entry_id: IdParam, limit: Limit = 100, offset: Offset = 0
    ) -> Response[list[LedgerVisit]]:
        read = await service.list_visits(at.db, at.tenant_id, entry_id, limit=limit, offset=offset)
        await record_read(at.db, at.actor, at.tenant_id, "ledger_visits", entry_id, rows=len(read.items))
        return paged(read)

    @post("/{entry_id:int}/visits", guards=[WRITERS], summary="登记走访 / record a follow-up visit")
    async def create_visit(self, at: At, entry_id: IdParam, data: JSONBody[LedgerVisitCreate]) -> LedgerVisit:
        return await service.create_visit(at.db, at.actor, at.tenant_id, entry_id, data)

    @get(
        "/{entry_id:int}/outcomes",
        summary="帮扶成效 / what the entry's actions achieved",
        response_headers=TOTAL_COUNT_HEADERS,
    )
    async def list_outcomes(
        self, at: At, entry_id: IdParam, limit: Limit = 100, offset: Offset = 0
    ) -> Response[list[LedgerOutcome]]:
        read = await service.list_outcomes(at.db, at.tenant_id, entry_id=entry_id, limit=limit, offset=offset)
        await record_read(at.db, at.actor, at.tenant_id, "ledger_outcomes", entry_id, rows=len(read.items))
        return paged(read)

    @post(
        "/{entry_id:int}/outcomes",
        guards=[WRITERS],
        summary="登记帮扶成效 / record an outcome (loan 万元, subsidy 元, rent 元 and months, persons)",
    )
    async def create_outcome(self, at: At, entry_id: IdParam, data: JSONBody[LedgerOutcomeCreate]) -> LedgerOutcome:
        return await service.create_outcome(at.db, at.actor, at.tenant_id, entry_id, data)


def _ids(entries: list[LedgerEntry]) -> list[int]:
    """The entities whose records were read, each once."""
    return sorted({entry.entity_id for entry in entries})
