"""Domain errors raised by services, and how the HTTP layer answers every error.

Every 4xx keeps Litestar's shape ``{status_code, detail, extra?}`` with ``detail`` in Chinese then English:
the services' own errors, Litestar's validation of bodies, queries and paths (``extra`` lists each problem
with its field, what was expected and, for a coded field, the allowed values), malformed JSON, 401, 403,
an unknown route, 405 and 413. A dependency that cannot be reached (PostgreSQL, Temporal) answers 503 with
``Retry-After``, and :class:`Outages` logs one line when it goes and one when it comes back.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Iterator, Mapping
from typing import Any, Final

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.types import ExceptionHandlersMap, Scope
from litestar.types.protocols import Logger
from sqlalchemy.exc import DBAPIError, IntegrityError
from temporalio.service import RPCError, RPCStatusCode

from services.text import Text
from tenants.resolver import TenantNotFoundError

log = logging.getLogger("jiequ.outages")

RETRY_AFTER_SECONDS: Final = 15
"""What a 503 asks the client to wait before it retries."""


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
    """A dependency the request needs (Temporal, say) did not answer; the request may be retried.

    ``dependency`` names it (``"database"``, ``"temporal"``) when the error means that it is down, so that
    the outage is logged once; the answer carries ``Retry-After`` either way.
    """

    status_code = 503

    def __init__(self, detail: str | Text, extra: Any = None, *, dependency: str | None = None) -> None:
        super().__init__(detail, extra)
        self.dependency = dependency


class TemporalUnreachableError(UnavailableError, RuntimeError):
    """Temporal could not be reached; a ``RuntimeError`` too, which callers that may go on without it catch."""


DATABASE: Final = "database"
TEMPORAL: Final = "temporal"
UNREACHABLE: Final[Mapping[str, Text]] = {
    DATABASE: Text("数据库暂时无法访问，请稍后重试", "the database cannot be reached for now; retry shortly"),
    TEMPORAL: Text("流程服务暂时无法访问，请稍后重试", "the workflow service cannot be reached for now; retry shortly"),
}


class Outages:
    """Which dependencies are down: the first failure of an outage and the recovery are logged, one line each.

    During an outage every request still answers 503, but the log keeps two lines rather than one trace
    per request.
    """

    def __init__(self) -> None:
        self._since: dict[str, float] = {}
        self._refused: dict[str, int] = {}

    def down(self, dependency: str) -> bool:
        return dependency in self._since

    def failed(self, dependency: str, error: BaseException) -> None:
        if dependency not in self._since:
            self._since[dependency] = time.monotonic()
            self._refused[dependency] = 0
            log.error("%s unreachable, answering 503 until it is back: %s: %s", dependency, type(error).__name__, error)
        self._refused[dependency] += 1

    def answered(self, dependency: str) -> None:
        since = self._since.pop(dependency, None)
        if since is not None:
            refused = self._refused.pop(dependency, 0)
            log.warning(
                "%s reachable again after %.1f s (%d requests answered 503)",
                dependency,
                time.monotonic() - since,
                refused,
            )


def _outages(request: Request[Any, Any, Any]) -> Outages | None:
    context = getattr(request.app.state, "context", None)
    outages = getattr(context, "outages", None)
    return outages if isinstance(outages, Outages) else None


# ------------------------------------------------------------------------------------------ what is unreachable

# asyncpg's connection failures (class 08, and 57P01-57P03: shut down, crashed, starting) and the socket's own.
_UNREACHABLE_SQLSTATES: Final = ("08", "57P01", "57P02", "57P03")
_UNREACHABLE_NAMES: Final = frozenset({"ConnectionDoesNotExistError", "InterfaceError", "InternalClientError"})


def _chain(error: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        if isinstance(error, DBAPIError) and isinstance(error.orig, BaseException):
            yield error.orig
        error = error.__cause__ or error.__context__


def _through_database_driver(error: BaseException) -> bool:
    """Whether ``error`` was raised on the way through asyncpg or SQLAlchemy (not by any other socket or file)."""
    trace = error.__traceback__
    while trace is not None:
        if str(trace.tb_frame.f_globals.get("__name__", "")).startswith(("asyncpg", "sqlalchemy")):
            return True
        trace = trace.tb_next
    return False


def unreachable(error: BaseException) -> str | None:
    """The dependency ``error`` says is unreachable (``"database"``, ``"temporal"``), or None for any other error."""
    if isinstance(error, UnavailableError):
        # A call Temporal did not take (UNAVAILABLE) is an outage; a query no worker answered in time is not.
        refused = any(isinstance(e, RPCError) and e.status == RPCStatusCode.UNAVAILABLE for e in _chain(error))
        return error.dependency or (TEMPORAL if refused else None)
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return DATABASE
    for cause in _chain(error):
        # Refused, reset, timed out, or the server's socket file gone: on the way to PostgreSQL only.
        if isinstance(cause, OSError) and _through_database_driver(cause):
            return DATABASE
        sqlstate = getattr(cause, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_UNREACHABLE_SQLSTATES):
            return DATABASE
        if type(cause).__module__.startswith("asyncpg") and type(cause).__name__ in _UNREACHABLE_NAMES:
            return DATABASE
    return None


# ------------------------------------------------------------------------------------------ answers


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

_CJK: Final = re.compile(r"[\u4e00-\u9fff]")
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


def bilingual(text: str) -> bool:
    """Whether ``text`` already holds Chinese (the project's messages are "中文 / English")."""
    return bool(_CJK.search(text))


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


# ------------------------------------------------------------------------------------------ validation

_TYPES: Final[Mapping[str, str]] = {
    "int": "整数",
    "str": "字符串",
    "float": "数字",
    "bool": "布尔值（true/false）",
    "array": "数组",
    "object": "对象",
    "null": "空值",
    "date": "日期",
    "datetime": "日期时间",
    "time": "时间",
    "bytes": "字节串",
}
_EXPECTED_GOT: Final = re.compile(r"Expected `(?P<type>[^`]+)`, got `(?P<got>[^`]+)`")
_BOUND: Final = re.compile(r"Expected `(?P<type>[^`]+)` (?P<op>>=|<=|>|<) (?P<n>\S+)")
_LENGTH: Final = re.compile(r"Expected `(?P<type>[^`]+)` of length (?P<op>>=|<=) (?P<n>\d+)")
_REGEX: Final = re.compile(r"Expected `str` matching regex")
_ENUM: Final = re.compile(r"Invalid enum value (?P<value>.+)")
_MISSING: Final = re.compile(r"Object missing required field `(?P<name>[^`]+)`")
_UNKNOWN: Final = re.compile(r"Object contains unknown field `(?P<name>[^`]+)`")
_DATE: Final = re.compile(r"Invalid RFC3339 encoded (?P<kind>date|datetime|time)")
_MISSING_PARAM: Final = re.compile(r"Missing required (?P<kind>\w+) parameter '(?P<name>[^']+)'")
_NAMED: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?= \()")
_OPS: Final = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}
_KINDS: Final = {"query": "查询", "path": "路径", "header": "请求头", "cookie": "Cookie"}


def _types_zh(types: str) -> str:
    return "或".join(_TYPES.get(t.strip(), t.strip()) for t in types.split("|"))


def _split(description: str | None) -> Text | None:
    if not description:
        return None
    zh, _, en = description.partition(" / ")
    return Text(zh, en or zh)


class _Field(msgspec.Struct):
    """What the handler's signature says of one field: its type, its description, its allowed values."""

    info: msgspec.inspect.Type | None = None
    description: str | None = None

    @property
    def allowed(self) -> list[Any] | None:
        info = _unwrap(self.info)
        if isinstance(info, msgspec.inspect.LiteralType):
            return list(info.values)
        if isinstance(info, msgspec.inspect.EnumType):
            return [member.value for member in info.cls]
        return None

    def expected(self) -> Text | None:
        if self.description:
            return _split(self.description)
        info = _unwrap(self.info)
        if (allowed := self.allowed) is not None:
            values = ", ".join(map(str, allowed))
            return Text(f"以下之一：{values}", f"one of: {values}")
        if isinstance(info, msgspec.inspect.IntType) and info.ge is not None and info.le is not None:
            return Text(f"{info.ge} 至 {info.le} 的整数", f"an integer from {info.ge} to {info.le}")
        if isinstance(info, msgspec.inspect.DateType):
            return Text("日期 YYYY-MM-DD", "a date YYYY-MM-DD")
        return None


def _member(info: msgspec.inspect.UnionType) -> msgspec.inspect.Type | None:
    """The one member of ``X | None`` (or ``X | UNSET``) that is not None, if there is one."""
    members = [t for t in info.types if not isinstance(t, msgspec.inspect.NoneType)]
    return members[0] if len(members) == 1 else None


def _unwrap(info: msgspec.inspect.Type | None) -> msgspec.inspect.Type | None:
    """The type under its metadata, and under ``X | None``."""
    while True:
        if isinstance(info, msgspec.inspect.Metadata):
            info = info.type
        elif isinstance(info, msgspec.inspect.UnionType) and (member := _member(info)) is not None:
            info = member
        else:
            return info


def _description(info: msgspec.inspect.Type | None) -> str | None:
    """The ``description`` a bounded type declares (``services.shared.bounds``), if any."""
    while info is not None:
        if isinstance(info, msgspec.inspect.Metadata):
            described = (info.extra_json_schema or {}).get("description")
            if isinstance(described, str):
                return described
            info = info.type
        elif isinstance(info, msgspec.inspect.UnionType):
            info = _member(info)
        else:
            return None
    return None


def _walk(info: msgspec.inspect.Type | None, path: str) -> msgspec.inspect.Type | None:
    """The type at ``path`` (``operator.name``, ``responses[0].rating``) inside ``info``."""
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        node = _unwrap(info)
        if isinstance(node, msgspec.inspect.UnionType):  # a Struct among other members: follow the Struct
            node = next((t for t in node.types if isinstance(t, msgspec.inspect.StructType)), None)
        if part.startswith("["):
            info = node.item_type if isinstance(node, (msgspec.inspect.ListType, msgspec.inspect.SetType)) else None
        elif isinstance(node, msgspec.inspect.StructType):
            info = next((f.type for f in node.fields if f.encode_name == part), None)
        else:
            return None
    return info


def _signature_field(request: Request[Any, Any, Any], key: str, source: str | None) -> tuple[str, _Field]:
    """The field ``key`` of a Litestar error as the client names it, and what the handler says of it."""
    handler = request.scope.get("route_handler")
    signature = getattr(handler, "parsed_fn_signature", None)
    parameters: Mapping[str, Any] = getattr(signature, "parameters", {}) or {}
    if source == "body":
        path = "" if key == "data" else key
        data = parameters.get("data")
        try:
            info = msgspec.inspect.type_info(data.annotation) if data is not None else None
        except (TypeError, ValueError):  # not a msgspec type (a multipart form): no detail to add
            info = None
        found = _walk(info, path) if info is not None else None
        return path, _Field(found, _description(found))
    definition = parameters.get(key)
    kwarg = getattr(definition, "kwarg_definition", None)
    name = (
        getattr(kwarg, "name", None)  # QueryParameter(name=…) and its kin
        or getattr(kwarg, "query", None)
        or getattr(kwarg, "header", None)
        or getattr(kwarg, "cookie", None)
        or key
    )
    try:
        info = msgspec.inspect.type_info(definition.annotation) if definition is not None else None
    except (TypeError, ValueError):
        info = None
    return name, _Field(info, getattr(kwarg, "description", None))


def _problem(field: str, message: str, described: _Field) -> tuple[str, Text]:  # noqa: PLR0911 - one answer per message form
    """The field the problem is about, and the problem in both languages."""
    shown = field or "请求体"
    shown_en = field or "the body"
    if bilingual(message):  # a check of the Struct itself (``__post_init__``) words its own message
        zh, _, en = message.partition(" / ")
        if inner := _NAMED.match(en):  # "heldOn (1900-01-01) must …": the field is in the Struct at `field`
            field = f"{field}.{inner[0]}" if field else inner[0]
        return field, Text(zh, en or zh)
    if match := _MISSING.fullmatch(message):
        named = f"{field}.{match['name']}" if field else match["name"]
        return named, Text(f"缺少必填字段 {named}", f"missing required field {named}")
    if match := _UNKNOWN.fullmatch(message):
        named = f"{field}.{match['name']}" if field else match["name"]
        return named, Text(f"未知字段 {named}", f"unknown field {named}")
    if match := _ENUM.fullmatch(message):
        allowed = ", ".join(map(str, described.allowed or []))
        return field, Text(
            f"{shown} 的取值 {match['value']} 无效" + (f"，可选：{allowed}" if allowed else ""),
            f"{shown_en}: invalid value {match['value']}" + (f"; allowed: {allowed}" if allowed else ""),
        )
    if _REGEX.match(message):
        expected = described.expected()
        return field, Text(
            f"{shown} 格式不符" + (f"：{expected.zh}" if expected else ""),
            f"{shown_en} is not in the expected form" + (f": {expected.en}" if expected else ""),
        )
    if match := _LENGTH.fullmatch(message):
        op = _OPS[match["op"]]
        return field, Text(
            f"{shown} 的长度应 {op} {match['n']}", f"{shown_en}: length must be {match['op']} {match['n']}"
        )
    if match := _BOUND.fullmatch(message):
        op = _OPS[match["op"]]
        return field, Text(f"{shown} 应 {op} {match['n']}", f"{shown_en} must be {match['op']} {match['n']}")
    if match := _EXPECTED_GOT.fullmatch(message):
        return field, Text(
            f"{shown} 应为{_types_zh(match['type'])}，实为{_types_zh(match['got'])}",
            f"{shown_en}: expected {match['type']}, got {match['got']}",
        )
    if match := _DATE.fullmatch(message):
        return field, Text(f"{shown} 不是有效的日期（YYYY-MM-DD）", f"{shown_en} is not a valid date (YYYY-MM-DD)")
    if match := _MISSING_PARAM.match(message):
        kind = _KINDS.get(match["kind"], match["kind"])
        return match["name"], Text(
            f"缺少必填的{kind}参数 {match['name']}", f"missing required {match['kind']} parameter {match['name']}"
        )
    return field, Text(f"{shown} 取值无效", f"{shown_en}: {message}")


def validation_problems(request: Request[Any, Any, Any], exc: ValidationException) -> list[dict[str, Any]]:
    """Each problem of a failed validation: ``{field, source, message, expected?, allowed?}``."""
    errors = exc.extra if isinstance(exc.extra, list) and exc.extra else [{"message": exc.detail}]
    problems: list[dict[str, Any]] = []
    for error in errors:
        if not isinstance(error, Mapping):
            continue
        source = error.get("source")
        source = str(getattr(source, "value", source)) if source is not None else None
        field, described = _signature_field(request, str(error.get("key", "")), source)
        field, text = _problem(field, str(error.get("message", "")), described)
        problem: dict[str, Any] = {"field": field, "message": str(text)}
        if source:
            problem["source"] = source
        if (expected := described.expected()) is not None:
            problem["expected"] = str(expected)
        if (allowed := described.allowed) is not None:
            problem["allowed"] = allowed
        problems.append(problem)
    return problems


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
