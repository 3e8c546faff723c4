"""Lists: the `limit` and `offset` query parameters, a page of rows with its total, the `X-Total-Count` answer,
and the list route of a street's records by year."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Final, Generic, TypeVar

from litestar import Controller, Response, get
from litestar.datastructures import ResponseHeader
from litestar.handlers import HTTPRouteHandler
from litestar.params import Parameter
from sqlalchemy import Select, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.deps import At
from services.shared.bounds import MAX_ID, IdParam, year_query
from tenants.context import Actor
from tenants.ids import TenantId

Limit = Annotated[int, Parameter(ge=1, le=1000, description="最多返回条数 / at most this many items")]
# The exact maximum for OpenAPI, which otherwise states the bound as a float that rounds up to 2^63.
Offset = Annotated[
    int, Parameter(ge=0, le=MAX_ID, description="跳过条数 / skip this many items", schema_extra={"maximum": MAX_ID})
]

T = TypeVar("T")
U = TypeVar("U")

TOTAL_COUNT: Final = "X-Total-Count"
TOTAL_COUNT_HEADERS: Final = [
    ResponseHeader(
        name=TOTAL_COUNT,
        documentation_only=True,
        required=True,
        description="符合筛选条件的总条数（分页之前）/ how many rows match the filters, before limit and offset",
    )
]
"""The `response_headers` of every list route, so that OpenAPI documents the header."""


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, and how many rows match the filters before `limit` and `offset`."""

    items: list[T]
    total: int

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        return Page([convert(item) for item in self.items], self.total)

    @classmethod
    def whole(cls, items: Sequence[T]) -> Page[T]:
        """A list that is never paged (a city's custom fields, the tenants one may see): all of it."""
        return cls(list(items), len(items))


def paged(page: Page[T]) -> Response[list[T]]:
    """The items as the response body, their total in `X-Total-Count`."""
    return Response(page.items, headers={TOTAL_COUNT: str(page.total)})


async def fetch_page(
    session: AsyncSession, query: Select[Any], *, limit: int | None, offset: int = 0
) -> Page[tuple[Any, ...]]:
    """The rows of `query` (ordered by the caller) in the window, with the number of rows it matches.

    One round trip: the total rides on every row as ``count(*) OVER ()``, computed before LIMIT and
    OFFSET. Only a page past the end (no row to carry it) costs a second, counting query.
    """
    windowed = query.add_columns(func.count().over().label("total_count")).offset(offset)
    if limit is not None:
        windowed = windowed.limit(limit)
    rows = (await session.execute(windowed)).all()
    if rows:
        total = int(rows[0][-1])
    elif offset == 0:
        total = 0
    else:
        counting = select(func.count()).select_from(query.order_by(None).subquery())
        total = int((await session.execute(counting)).scalar_one())
    return Page([tuple(row)[:-1] for row in rows], total)


def street_list_route(
    fetch: Callable[..., Awaitable[Page[T]]], item: type[T], *, name: str, summary: str, year_doc: str
) -> HTTPRouteHandler:
    """The ``GET /`` route of a controller of a street's records: a page of `item`, of the year in the ``year``
    query parameter (described by `year_doc`) when given, with its total in `X-Total-Count`.

    `fetch` is the domain's list, called as ``fetch(session, actor, tenant, street_id, year=, limit=, offset=)``;
    `name` is the handler's, which the route's OpenAPI operation id ends with."""

    async def handler(
        self: Controller,  # noqa: ARG001 - a controller calls its handlers as methods
        at: At,
        street_id: IdParam,
        year: Annotated[int | None, year_query(year_doc)] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Response[list[T]]:
        return paged(await fetch(at.db, at.actor, at.tenant_id, street_id, year=year, limit=limit, offset=offset))

    return _list_route(handler, item, name=name, summary=summary, year_doc=year_doc)


def street_whole_list_route(
    fetch: Callable[[AsyncSession, Actor, TenantId, int], Awaitable[Sequence[T]]],
    item: type[T],
    *,
    name: str,
    summary: str,
) -> HTTPRouteHandler:
    """The ``GET /`` route of a controller of a street's records that is never paged: all of the street's `item`
    that `fetch` gives, with their number in `X-Total-Count`. `name` is the handler's, which the route's OpenAPI
    operation id ends with."""

    async def handler(
        self: Controller,  # noqa: ARG001 - a controller calls its handlers as methods
        at: At,
        street_id: IdParam,
    ) -> Response[list[T]]:
        return paged(Page.whole(await fetch(at.db, at.actor, at.tenant_id, street_id)))

    return _list_route(handler, item, name=name, summary=summary)


def _list_route(
    handler: Callable[..., Awaitable[Response[list[T]]]], item: type[T], *, name: str, summary: str, **names: Any
) -> HTTPRouteHandler:
    """`handler` as the ``GET /`` list route named `name`, its items of type `item`."""
    handler.__name__ = handler.__qualname__ = name
    # The annotations are strings that Litestar resolves in this module: `T` and `names` give it the route's own.
    namespace = {"T": item, **names}
    return get("/", summary=summary, response_headers=TOTAL_COUNT_HEADERS, signature_namespace=namespace)(handler)
