"""How the HTTP layer answers every error: the services' own, the database's, Litestar's 4xx and validation, and
503 with ``Retry-After`` for a dependency that cannot be reached."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any, Final

from litestar import Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.types import ExceptionHandlersMap, Scope
from litestar.types.protocols import Logger
from sqlalchemy.exc import DBAPIError, IntegrityError

from services.errors import RETRY_AFTER_SECONDS, DomainError, UnavailableError, bilingual
from services.errors.outages import UNREACHABLE, Outages, unreachable
from services.errors.validation import validation_problems
from services.text import Text
from tenants.resolver import TenantNotFoundError


def _outages(request: Request[Any, Any, Any]) -> Outages | None:
    context = getattr(request.app.state, "context", None)
    outages = getattr(context, "outages", None)
    return outages if isinstance(outages, Outages) else None


def _body(status_code: int, detail: str, extra: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"status_code": status_code, "detail": detail}
    if extra is not None:
        body["extra"] = extra
    return body


def _unavailable(
    request: Request[Any, Any, Any], dependency: str | None, error: BaseException, detail: str
) -> Response[Any]:
    if dependency is not None and (outages := _outages(request)) is not None:
        outages.failed(dependency, error)
    return Response(_body(503, detail), status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    if exc.status_code == 503:
        return _unavailable(request, unreachable(exc), exc, exc.detail)
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


_SERVER_ERROR: Final = Text("服务器内部错误", "internal server error")


def dbapi_error_handler(request: Request[Any, Any, Any], exc: DBAPIError) -> Response[dict[str, Any]]:
    """Row-level security refusing a write is a 403; a lost or refused connection a 503; anything else a 500."""
    cause = getattr(exc.orig, "__cause__", None)
    if getattr(cause, "sqlstate", None) == "42501":
        return Response(_body(403, "无权修改该数据 / not allowed to change this data"), status_code=403)
    if (dependency := unreachable(exc)) is not None:
        return _unavailable(request, dependency, exc, str(UNREACHABLE[dependency]))
    return Response(_body(500, str(_SERVER_ERROR)), status_code=500)


def connection_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """A socket error on the way to PostgreSQL (refused, reset, timed out) before SQLAlchemy could wrap it."""
    if (dependency := unreachable(exc)) is not None:
        return _unavailable(request, dependency, exc, str(UNREACHABLE[dependency]))
    return Response(_body(500, str(_SERVER_ERROR)), status_code=500)


# ------------------------------------------------------------------------------------------ Litestar's own 4xx

_STATUS_TEXTS: Final[Mapping[int, Text]] = {
    400: Text("请求无效", "bad request"),
    401: Text("需要登录，或登录已失效", "sign-in required, or the sign-in has expired"),
    403: Text("无权执行此操作", "not allowed"),
    404: Text("请求的路径不存在", "no such route"),
    405: Text("该路径不支持此请求方法", "this route does not take that method"),
    406: Text("无法提供所要求的格式", "cannot answer in the format asked for"),
    413: Text("请求体过大", "the request body is too large"),
    415: Text("不支持的请求体格式", "unsupported request body type"),
    429: Text("请求过于频繁，请稍后再试", "too many requests; retry later"),
}


def _client_text(request: Request[Any, Any, Any], exc: HTTPException) -> str:
    status, detail = exc.status_code, exc.detail
    if bilingual(detail):
        return detail
    if isinstance(exc.__cause__, SerializationException):  # the body did not decode
        reason = detail.removeprefix("JSON is malformed:").strip()
        return str(Text("请求体不是有效的 JSON", f"the body is not valid JSON ({reason})"))
    base = _STATUS_TEXTS.get(status, Text("请求错误", "request refused"))
    if status == 404:
        return str(Text(base.zh, f"{base.en}: {request.method} {request.url.path}"))
    if status == 405:
        return str(Text(f"{base.zh}（{request.method}）", f"{base.en} ({request.method})"))
    if status == 413:
        limit = _body_limit(request)
        return str(Text(f"{base.zh}（上限 {limit} 字节）", f"{base.en} (at most {limit} bytes)") if limit else base)
    generic = HTTPException(status_code=status).detail
    return str(base) if detail == generic else f"{base} ({detail})"


def _body_limit(request: Request[Any, Any, Any]) -> int | None:
    handler = request.scope.get("route_handler")
    resolve = getattr(handler, "resolve_request_max_body_size", None)
    limit = resolve() if callable(resolve) else None
    return limit if isinstance(limit, int) else None


def http_exception_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    """Litestar's own errors in the project's words; a 5xx keeps Litestar's generic answer, except a 503 that
    the project raised itself (busy, or over a time limit): its message and its ``Retry-After`` stand."""
    if exc.status_code == 503 and bilingual(exc.detail):
        return Response(_body(503, exc.detail), status_code=503, headers=exc.headers)
    if exc.status_code >= 500:
        return Response(_body(exc.status_code, str(_SERVER_ERROR)), status_code=exc.status_code)
    return Response(
        _body(exc.status_code, _client_text(request, exc), exc.extra or None),
        status_code=exc.status_code,
        headers=exc.headers,
    )


def validation_error_handler(request: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    """Litestar's validation of body, query and path: the first problem in the detail, all of them in ``extra``."""
    problems = validation_problems(request, exc)
    first = problems[0]["message"] if problems else str(Text("取值无效", "invalid value"))
    zh, _, en = first.partition(" / ")
    more = len(problems) - 1
    detail = Text(
        f"请求数据无效：{zh}" + (f"（另有 {more} 处）" if more > 0 else ""),
        f"invalid request: {en or zh}" + (f" (and {more} more)" if more > 0 else ""),
    )
    return Response(_body(exc.status_code, str(detail), problems), status_code=exc.status_code)


def log_uncaught(logger: Logger, scope: Scope, _: list[str]) -> None:
    """Litestar's log of an unexpected error, without the outages :class:`Outages` already reports in one line."""
    error = sys.exc_info()[1]
    if error is not None and unreachable(error) is not None:
        return
    logger.exception("Uncaught exception (connection_type=%s, path=%r):", scope["type"], scope["path"])


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: domain_error_handler,
    TenantNotFoundError: tenant_not_found_handler,
    IntegrityError: integrity_error_handler,
    DBAPIError: dbapi_error_handler,
    OSError: connection_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_exception_handler,
}

QUIET: frozenset[int | type[Exception]] = frozenset(
    {*range(400, 500), 503, TenantNotFoundError, IntegrityError, UnavailableError}
)
"""Exceptions answered 4xx or 503: the request's own problem or a known outage, logged without a stack trace
(a 500 keeps its trace)."""
