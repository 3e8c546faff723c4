"""Refusals on the accounts, import and rules pages, in one language; built on the forms' savepoint and wording."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

import msgspec
from litestar import Request

from services.deps import Db
from services.errors import DomainError, InvalidError
from services.text import Text
from services.web.forms import as_text, savepoint
from services.web.render import language

T = TypeVar("T")
S = TypeVar("S", bound=msgspec.Struct)

_AT: Final = re.compile(r"at `\$\.([A-Za-z0-9_]+)")
NOT_VALID: Final = Text("填写有误：{why}", "Not valid: {why}")


async def attempt(db: Db, run: Callable[[], Awaitable[T]]) -> T | DomainError:
    """``run`` (a service's change) in a savepoint of the request's transaction: a refusal undoes whatever it
    wrote and comes back as the error to show next to the form, while the page itself still commits."""
    try:
        async with savepoint(db):
            return await run()
    except DomainError as exc:
        return exc


def message(request: Request[Any, Any, Any], error: DomainError) -> str:
    """A refusal's wording in the page's language."""
    return as_text(error).get(language(request))


def errors_of(request: Request[Any, Any, Any], error: DomainError, conflict: str = "form") -> dict[str, str]:
    """A refusal as a form's errors: its message beside the field it names, beside ``conflict`` when it is a
    conflict with stored data (409, which names no field), else above the form (``"form"``)."""
    field = field_of(error) or (conflict if error.status_code == 409 else "form")
    return {field: message(request, error)}


def in_language(request: Request[Any, Any, Any], wording: str) -> str:
    """One language of a service's ``"中文 / English"`` string (a string without the separator stays whole)."""
    zh, separator, en = wording.partition(" / ")
    if not separator:
        return wording
    return en if language(request) == "en" else zh


def converted(data: dict[str, Any], kind: type[S], field: str = "", wording: dict[str, Text] | None = None) -> S:
    """A form's values as the API's input ``kind`` (the same schema the API checks), or an InvalidError whose
    ``extra`` names the field at fault, in the page's ``wording`` of that field where it has one."""
    try:
        return msgspec.convert(data, kind, strict=False)
    except msgspec.ValidationError as exc:
        found = _AT.search(str(exc))
        at = found.group(1) if found else field
        text = (wording or {}).get(at) or NOT_VALID.format(why=str(exc))
        raise InvalidError(text, extra={"field": at}) from exc


def field_of(error: DomainError) -> str:
    """The form field an error names (``extra["field"]``), or "" for the form as a whole."""
    return str(error.extra.get("field", "")) if isinstance(error.extra, dict) else ""
