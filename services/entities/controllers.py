"""``/api/tenants/{tenant}/streets/{id}/entities``: a street's entities, one by one or by file import."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, patch, post
from litestar.params import FromQuery, JSONBody, QueryParameter

from services.deps import STREET_DATA_WRITERS, At
from services.entities import service
from services.entities.schemas import ENTITY_COLUMNS, Entity, EntityClass, EntityCreate, EntityUpdate
from services.shared.bounds import IdParam
from services.shared.imports import import_route
from services.shared.paging import TOTAL_COUNT_HEADERS, Limit, Offset, paged


class EntityController(Controller):
    path = "/api/tenants/{tenant:str}/streets/{street_id:int}/entities"
    tags = ["entities"]

    @get("/", summary="街区的创业实体 / the street's entities", response_headers=TOTAL_COUNT_HEADERS)
    async def list_entities(
        self,
        at: At,
        street_id: IdParam,
        entity_class: Annotated[EntityClass | None, QueryParameter(name="class")] = None,
        operating: FromQuery[bool | None] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Response[list[Entity]]:
        return paged(
            await service.list_entities(
                at.db,
                at.actor,
                at.tenant_id,
                street_id,
                entity_class=entity_class,
                operating=operating,
                limit=limit,
                offset=offset,
            )
        )

    @post("/", guards=[STREET_DATA_WRITERS], summary="登记创业实体 / register an entity")
    async def create_entity(self, at: At, street_id: IdParam, data: JSONBody[EntityCreate]) -> Entity:
        return await service.create_entity(at.db, at.actor, at.tenant_id, street_id, data)

    import_entities = import_route(
        service.import_entities,
        guard=STREET_DATA_WRITERS,
        columns=ENTITY_COLUMNS,
        summary="导入创业实体（CSV/XLSX，全部或全不）/ import entities from CSV or XLSX, all rows or none",
    )

    @get("/{entity_id:int}", summary="创业实体 / one entity")
    async def get_entity(self, at: At, street_id: IdParam, entity_id: IdParam) -> Entity:
        return await service.get_entity(at.db, at.actor, at.tenant_id, street_id, entity_id)

    @patch("/{entity_id:int}", guards=[STREET_DATA_WRITERS], summary="修改创业实体 / change an entity")
    async def update_entity(
        self, at: At, street_id: IdParam, entity_id: IdParam, data: JSONBody[EntityUpdate]
    ) -> Entity:
        return await service.update_entity(at.db, at.actor, at.tenant_id, street_id, entity_id, data)
