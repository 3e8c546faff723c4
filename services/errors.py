"""Domain errors raised by services, and how the HTTP layer answers them."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.types import ExceptionHandlersMap
from sqlalchemy.exc import DBAPIError, IntegrityError

from services.text import Text
from tenants.resolver import TenantNotFoundError


class DomainError(Exception):
    """A service refused the request; ``status_code`` is what the HTTP layer answers."""

    status_code = 400

    def __init__(self, detail: str | Text, extra: dict[str, Any] | list[Any] | None = None) -> None:
        super().__init__(str(detail))
        self.text = detail if isinstance(detail, Text) else None
        """The wording in both languages, where the service gave it as :class:`Text`."""
        self.detail = str(detail)
        self.extra = extra


class NotFoundError(DomainError):
    status_code = 404


class ForbiddenError(DomainError):
    status_code = 403


class ConflictError(DomainError):
    status_code = 409


class InvalidError(DomainError):
    """Input that is well-formed but breaks a rule of the domain."""

    status_code = 422


class UnavailableError(DomainError):
    """A dependency the request needs (Temporal, say) did not answer; the request may be retried."""

    status_code = 503


def _body(status_code: int, detail: str, extra: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"status_code": status_code, "detail": detail}
    if extra is not None:
        body["extra"] = extra
    return body


def domain_error_handler(_: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    return Response(_body(exc.status_code, exc.detail, exc.extra), status_code=exc.status_code)


def tenant_not_found_handler(_: Request[Any, Any, Any], exc: TenantNotFoundError) -> Response[dict[str, Any]]:
    return Response(_body(404, str(exc)), status_code=404)


def integrity_error_handler(_: Request[Any, Any, Any], exc: IntegrityError) -> Response[dict[str, Any]]:
    """A constraint the database enforces (unique name, foreign key): the request conflicts with data."""
    cause = getattr(exc.orig, "__cause__", None)
    constraint = getattr(cause, "constraint_name", None)
    detail = "数据冲突 / the request conflicts with existing data"
    if constraint:
        detail += f" ({constraint})"
    return Response(_body(409, detail), status_code=409)


def dbapi_error_handler(_: Request[Any, Any, Any], exc: DBAPIError) -> Response[dict[str, Any]]:
    """Row-level security refusing a write means the caller may not write that tenant's data."""
    cause = getattr(exc.orig, "__cause__", None)
    if getattr(cause, "sqlstate", None) == "42501":
        return Response(_body(403, "无权修改该数据 / not allowed to change this data"), status_code=403)
    raise HTTPException(status_code=500, detail="数据库错误 / database error") from exc


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: domain_error_handler,
    TenantNotFoundError: tenant_not_found_handler,
    IntegrityError: integrity_error_handler,
    DBAPIError: dbapi_error_handler,
}

QUIET: frozenset[int | type[Exception]] = frozenset({*range(400, 500), TenantNotFoundError, IntegrityError})
"""Exceptions answered 4xx: the request's own problem, logged without a stack trace (a 5xx keeps its trace)."""
