"""``TenantId``: a tenant slug that the resolver has checked the caller may act on."""

from __future__ import annotations

from typing import Final

_RESOLVER_KEY: Final = object()


class TenantId(str):
    """A checked tenant slug. Only :mod:`tenants.resolver` makes one; service functions require it.

    Passing a plain ``str`` where a ``TenantId`` is expected fails type-checking, and constructing one
    without the resolver's key fails at run time, so an unchecked tenant never reaches a query.
    """

    __slots__ = ()

    def __new__(cls, slug: str, *, key: object = None) -> TenantId:
        if key is not _RESOLVER_KEY:
            raise TypeError("TenantId is made only by tenants.resolver")
        return super().__new__(cls, slug)


def _make(slug: str) -> TenantId:
    """For the resolver only."""
    return TenantId(slug, key=_RESOLVER_KEY)
