"""What the pages' handlers share: the tenant a page shows, a city or street page's scope, a kind of the path.

A city's pages take :data:`AtCity`: the request's transaction, the caller and the city of the path. A street's
pages (its tabs, its data forms, its imports, its edit form) take :data:`AtStreet`: the same and the street of
the path, read under the caller's rights once, before the handler runs (another city's street, or another
street for an operator, answers 404 as a page). The province's baseline and selection pages take
:data:`AtProvince`: the transaction, the caller and its own province (any other slug answers 404)."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Final, TypeVar

from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from services.deps import Caller, Province, TenantScope, app_context, request_transaction
from services.province_report.service import own_province
from services.shared.bounds import IdParam
from services.streets.schemas import Street
from services.streets.service import get_street
from services.web.render import page
from tenants.ids import TenantId
from tenants.registry import TenantInfo
from tenants.resolver import resolve

V = TypeVar("V")

PER_PAGE: Final = 20
"""The rows of a paged list (a city's streets, a street's entities, activities, ledger, assessments)."""
ALL: Final = 1000
"""The most rows a page reads in one go where it must see a whole (small) list: a city's streets or users, a
street's entities or reports."""


PageNumber = Annotated[int, QueryParameter(name="page", ge=1, le=10_000)]
"""``?page=``: the page of a paged list, from 1."""


def offset_of(page_number: int) -> int:
    """The first row of the page ``page_number`` of a paged list."""
    return (page_number - 1) * PER_PAGE


def page_count(total: int) -> int:
    """How many pages a list of ``total`` rows takes (an empty list is still one page)."""
    return max(1, math.ceil(total / PER_PAGE))


def chosen(name: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    """A list filter's choice: empty (a form's unchosen filter) is all, None; one not ``allowed`` is a bad
    request."""
    if not value:
        return None
    if value not in allowed:
        raise ValidationException(f"{name}: {value}")
    return value


def tenant_of(request: Request[Any, Any, Any], tenant_id: TenantId) -> TenantInfo:
    """The tenant of the path as the page shows it (its names and code); the resolver has admitted it."""
    tenant = app_context(request).directory.get(tenant_id)
    if tenant is None:
        raise NotFoundException()
    return tenant


def known(table: Mapping[str, V], kind: str) -> V:
    """The entry of the path's ``kind`` (a form, an import, …): a kind the table lacks is a page that does not
    exist."""
    if kind not in table:
        raise NotFoundException()
    return table[kind]


@dataclass(frozen=True)
class CityScope(TenantScope):
    """A city page's request: the API's scope (its transaction, the caller and the city of the path), which
    renders the city's pages."""

    @property
    def tenant(self) -> TenantInfo:
        return tenant_of(self.request, self.tenant_id)

    def page(self, template: str, *, status_code: int = 200, **context: Any) -> Template:
        """The city's page ``template``, with the caller and the city beside ``context``."""
        return page(self.request, template, status_code=status_code, actor=self.actor, tenant=self.tenant, **context)


@dataclass(frozen=True)
class StreetScope(CityScope):
    """A street page's request: its transaction, the caller, the city and the street."""

    street: Street

    @property
    def street_id(self) -> int:
        return self.street.id

    def page(self, template: str, *, status_code: int = 200, **context: Any) -> Template:
        """The street's page ``template``, with the caller, the city and the street beside ``context``."""
        return super().page(template, status_code=status_code, street=self.street, **context)


@dataclass(frozen=True)
class ProvinceScope(TenantScope):
    """A province page's request: its transaction, the caller and the caller's own province."""

    def page(self, template: str, *, status_code: int = 200, **context: Any) -> Template:
        """The province's page ``template``, with the caller beside ``context``."""
        return page(self.request, template, status_code=status_code, actor=self.actor, **context)


async def provide_city_scope(
    request: Request[Any, Any, Any], actor: Caller, tenant: FromPath[str]
) -> AsyncIterator[CityScope]:
    tenant_id = resolve(actor, tenant)
    async with request_transaction(request, actor) as db:
        yield CityScope(request, db, actor, tenant_id)


async def provide_street_scope(
    request: Request[Any, Any, Any], actor: Caller, tenant: FromPath[str], street_id: IdParam
) -> AsyncIterator[StreetScope]:
    tenant_id = resolve(actor, tenant)
    async with request_transaction(request, actor) as db:
        yield StreetScope(request, db, actor, tenant_id, await get_street(db, actor, tenant_id, street_id))


AtCity = NamedDependency[CityScope]
"""The ``at`` dependency of a city's pages (``/city/{tenant}/…``) that take no street."""
CITY_SCOPE: Final = {"at": Provide(provide_city_scope)}

AtStreet = NamedDependency[StreetScope]
"""The ``at`` dependency of the pages under ``/city/{tenant}/streets/{street_id}``."""
STREET_SCOPE: Final = {"at": Provide(provide_street_scope)}


async def provide_province_scope(
    request: Request[Any, Any, Any], actor: Caller, province: Province
) -> AsyncIterator[ProvinceScope]:
    own = own_province(actor, province)
    async with request_transaction(request, actor) as db:
        yield ProvinceScope(request, db, actor, own)


AtProvince = NamedDependency[ProvinceScope]
"""The ``at`` dependency of the pages under ``/province/{province}``: another province (or a city) answers 404
before the handler reads anything."""
PROVINCE_SCOPE: Final = {"at": Provide(provide_province_scope)}
