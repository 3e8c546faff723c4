"""The tenant resolver: the one place that turns a slug into a ``TenantId`` for an actor."""

from __future__ import annotations

from collections.abc import Iterable

from tenants.context import SYSTEM_ACTOR, Actor, Role
from tenants.ids import TenantId, _make
from tenants.registry import TenantInfo


class TenantNotFoundError(LookupError):
    """The tenant does not exist or the actor may not see it; callers answer 404 either way."""

    def __init__(self, slug: str) -> None:
        super().__init__(f"租户 {slug} 不存在或无权访问 / tenant {slug} not found or no access")
        self.slug = slug


class TenantDirectory:
    """The tenant hierarchy (province → cities), read once from the ``tenants`` table."""

    def __init__(self, tenants: Iterable[TenantInfo]) -> None:
        self._by_slug = {t.slug: t for t in tenants}
        self._children: dict[str, list[str]] = {}
        for tenant in self._by_slug.values():
            if tenant.parent is not None:
                self._children.setdefault(tenant.parent, []).append(tenant.slug)

    def get(self, slug: str) -> TenantInfo | None:
        return self._by_slug.get(slug)

    def children(self, slug: str) -> list[str]:
        return sorted(self._children.get(slug, ()))

    def all(self) -> list[TenantInfo]:
        return sorted(self._by_slug.values(), key=lambda t: t.code)

    def actor(
        self,
        *,
        username: str,
        tenant: str,
        role: Role,
        street_id: int | None = None,
        request_id: str | None = None,
    ) -> Actor:
        """The actor for a user of ``tenant``: a province reads its cities and writes only itself."""
        info = self._by_slug.get(tenant)
        if info is None:
            raise TenantNotFoundError(tenant)
        own = _make(info.slug)
        read = (own, *(_make(child) for child in self.children(info.slug)))
        return Actor(
            username=username,
            tenant=own,
            role=role,
            read_ids=read,
            write_ids=(own,),
            province=info.is_province,
            street_id=street_id,
            request_id=request_id,
        )

    def system_actor(self, tenant: str) -> Actor:
        """The actor of automated work on one tenant (a workflow's activity)."""
        return self.actor(username=SYSTEM_ACTOR, tenant=tenant, role=Role.CITY_ADMIN)


def resolve(actor: Actor, slug: str) -> TenantId:
    """The ``TenantId`` of ``slug`` if ``actor`` may see it; otherwise :class:`TenantNotFoundError`."""
    for tenant in actor.read_ids:
        if tenant == slug:
            return tenant
    raise TenantNotFoundError(slug)
