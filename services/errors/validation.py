"""Litestar's validation failures (body, query, path) as problems in the project's words: each with its field as
the client names it, what was expected and, for a coded field, the allowed values."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException

from services.errors import bilingual
from services.text import Text

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
_ENUM: Final = re.compile(r"Invalid (?:enum )?value (?P<value>.+)")
"""An unknown code: a Literal's (``Invalid enum value``) or a tagged union's tag (``Invalid value``)."""
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
        if (tags := _tags(node, part)) is not None:  # a tagged union's tag field: its tags are its codes
            info = tags
            continue
        if isinstance(node, msgspec.inspect.UnionType):  # a Struct among other members: follow the Struct
            node = next((t for t in node.types if isinstance(t, msgspec.inspect.StructType)), None)
        if part.startswith("["):
            info = node.item_type if isinstance(node, (msgspec.inspect.ListType, msgspec.inspect.SetType)) else None
        elif isinstance(node, msgspec.inspect.StructType):
            info = next((f.type for f in node.fields if f.encode_name == part), None)
        else:
            return None
    return info


def _tags(node: msgspec.inspect.Type | None, part: str) -> msgspec.inspect.LiteralType | None:
    """The tags of a union of tagged Structs when ``part`` is their tag field (``kind`` of an outcome)."""
    if not isinstance(node, msgspec.inspect.UnionType):
        return None
    structs = [t for t in node.types if isinstance(t, msgspec.inspect.StructType)]
    if not structs or any(t.tag_field != part for t in structs):
        return None
    return msgspec.inspect.LiteralType(values=tuple(t.tag for t in structs))


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
