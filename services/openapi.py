"""The served OpenAPI document, finished so that it answers for what the API does.

Litestar documents a route's success and its validation error; this adds what every route may also
answer (the error shape with its status codes, in Chinese and English), declares that request bodies
refuse unknown fields, marks the routes that need no sign-in, and spells unions as ``anyOf`` (a value
of ``int | float`` matches both branches, which ``oneOf`` forbids).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import msgspec
from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.openapi.datastructures import ResponseSpec

from services.schemas import InputStruct

ERROR_SCHEMA = "Error"
"""The component every error response refers to (Litestar's error shape)."""

_ERROR_COMPONENT: dict[str, Any] = {
    "type": "object",
    "description": "错误 / error: `detail` 先中文后英文 / Chinese first, then English",
    "properties": {
        "status_code": {"type": "integer"},
        "detail": {"type": "string"},
        "extra": {},
    },
    "required": ["status_code", "detail"],
}

_ERRORS: dict[int, str] = {
    400: "请求格式或参数不正确 / malformed request or parameter",
    401: "需要登录 / authentication required",
    403: "无权执行此操作，或须先设置新密码 / not allowed, or a new password must be set first",
    404: "不存在或无权访问 / not found or no access",
    409: "与现有数据冲突 / conflicts with existing data",
    413: "请求体过大 / request body too large",
    422: "数据不符合业务规则 / the input breaks a rule of the domain",
    429: "请求过于频繁，请稍后再试 / too many attempts, retry later",
    503: "服务暂不可用，请稍后再试 / a dependency is unavailable, retry later",
}


class Error(msgspec.Struct):
    """Litestar's error shape; the component of the same name above completes it (``extra``)."""

    status_code: int
    detail: str


def error_spec(description: str) -> ResponseSpec:
    """An error response of a route with a description of its own (the generic ones are added for every route)."""
    return ResponseSpec(data_container=Error, description=description, generate_examples=False)


_UNSAFE = frozenset({"post", "put", "patch", "delete"})
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _input_struct_names() -> set[str]:
    """Names of every request-body Struct (they refuse unknown fields)."""
    names: set[str] = set()
    pending: list[type[msgspec.Struct]] = [InputStruct]
    while pending:
        cls = pending.pop()
        names.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return names


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _codes_for(path: str, method: str, operation: dict[str, Any], public: bool) -> Iterable[int]:
    yield 400
    yield 503
    if not public:
        yield from (401, 403)
    if "{" in path:
        yield 404
    if method in _UNSAFE:
        yield from (409, 422)
    elif operation.get("parameters"):
        yield 422
    if "requestBody" in operation:
        yield 413


def finish(document: dict[str, Any], public_paths: Iterable[str]) -> dict[str, Any]:
    """Complete ``document`` (Litestar's OpenAPI as a dict) in place and return it."""
    public = [re.compile(pattern) for pattern in public_paths]
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components[ERROR_SCHEMA] = _ERROR_COMPONENT
    inputs = _input_struct_names()
    for name, schema in components.items():
        if name in inputs and schema.get("type") == "object":
            schema["additionalProperties"] = False
    for node in _walk(document):
        if "oneOf" in node:
            node["anyOf"] = node.pop("oneOf")
    reference = {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}
    for path, item in document.get("paths", {}).items():
        is_public = any(pattern.search(path) for pattern in public)
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            if is_public:
                operation["security"] = []
            responses = operation.setdefault("responses", {})
            for code in _codes_for(path, method, operation, is_public):
                responses.setdefault(
                    str(code),
                    {"description": _ERRORS[code], "content": {"application/json": {"schema": reference}}},
                )
    return document


def finish_app_openapi(app: Litestar, public_paths: Iterable[str]) -> None:
    """Build the app's OpenAPI document now and finish it; Litestar serves the cached, finished one."""
    plugin = app.plugins.get(OpenAPIPlugin)
    finish(plugin.provide_openapi_schema(), public_paths)
