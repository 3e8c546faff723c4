"""One way from a posted form to a domain input Struct, and from its refusal to messages beside the fields.

A form's inputs are named by the JSON path of the input Struct (``operator.uscc``, ``center.staff.0.name``,
``center.services[]`` for a list of checkboxes), so the message of ``msgspec`` or of the domain
(:class:`~services.shared.checks.FieldProblem`, which names its field the same way) lands on its input.
The service runs in a savepoint of the request's transaction: a refused form writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any, Final, TypeAlias, TypeVar

import msgspec
from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.params import Body

from services.deps import Db
from services.errors import ConflictError, DomainError
from services.text import Language, Text

T = TypeVar("T")
R = TypeVar("R")

FormBody: TypeAlias = Annotated[T, Body(media_type=RequestEncodingType.URL_ENCODED)]
"""A handler's ``data``: an HTML form's post (``application/x-www-form-urlencoded``) read into a dataclass."""

FORM_LEVEL: Final = ""
"""The key of a problem that belongs to no one field (shown above the form)."""
LIST_MARK: Final = "[]"
_INDEX: Final = re.compile(r"\[(\d+)\]")
_AT: Final = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)

REQUIRED: Final = Text("此项为必填项。", "This field is required.")
WHOLE_NUMBER: Final = Text("请输入整数。", "Enter a whole number.")
DATE: Final = Text("请输入有效日期（YYYY-MM-DD）。", "Enter a valid date (YYYY-MM-DD).")
CHOICE: Final = Text("请从列表中选择。", "Choose one of the listed values.")
AT_LEAST: Final = Text("不能小于 {n}。", "Must be at least {n}.")
AT_MOST: Final = Text("不能大于 {n}。", "Must be at most {n}.")
LONGEST: Final = Text("最多 {n} 个字符。", "At most {n} characters.")
SHORTEST: Final = Text("至少 {n} 个字符。", "At least {n} characters.")
MONTH: Final = Text("请按 YYYY-MM 填写月份。", "Enter the month as YYYY-MM.")
INVALID: Final = Text("填写有误，请检查。", "This value is not valid: please check it.")
NOT_USED: Final = Text("所选类型不填写此项，请清空。", "The chosen kind does not take this field: leave it empty.")
YES_NO: Final = Text("请勾选或取消勾选。", "Tick the box or leave it empty.")
FIX_BELOW: Final = Text("表单有误，请按提示修改后重新提交。", "The form has problems: correct them and send it again.")


class FormError(Exception):
    """A form that cannot be saved: the problem of each field (key :data:`FORM_LEVEL` for the whole form)."""

    def __init__(self, problems: dict[str, Text]) -> None:
        super().__init__(", ".join(problems))
        self.problems = problems


@dataclass
class Form:
    """What a form page shows: the values as typed (or as stored) and each field's message in one language."""

    values: dict[str, str | list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str, default: str = "") -> str:
        found = self.values.get(name, default)
        return found if isinstance(found, str) else ",".join(found)

    def chosen(self, name: str) -> list[str]:
        return ticked(self.values, name)

    def error(self, name: str) -> str | None:
        return self.errors.get(name)

    def rows(self, prefix: str, blank: int) -> list[int]:
        """The indexes of the list rows under ``prefix`` (``center.staff``) and ``blank`` empty ones after them."""
        pattern = re.compile(re.escape(prefix) + r"\.(\d+)\.")
        used = {int(m.group(1)) for name in self.values if (m := pattern.match(name))}
        count = max(used) + 1 if used else 0
        return list(range(count + blank))

    @property
    def problem(self) -> str | None:
        return self.errors.get(FORM_LEVEL)


def flat_values(pairs: Iterable[tuple[str, str]]) -> dict[str, str | list[str]]:
    """The posted fields, stripped: a name ending in ``[]`` keeps every value, any other its last one (so that
    a hidden ``false`` before a checkbox of the same name is overridden by the ticked box)."""
    values: dict[str, str | list[str]] = {}
    for name, raw in pairs:
        if name.startswith("_"):  # the CSRF token and the like
            continue
        value = raw.strip()
        if name.endswith(LIST_MARK):
            listed = values.setdefault(name, [])
            assert isinstance(listed, list)
            listed.append(value)
        else:
            values[name] = value
    return _compact(values)


async def posted(request: Request[Any, Any, Any]) -> dict[str, str | list[str]]:
    """The fields of the posted form, as :func:`flat_values` gives them."""
    return flat_values((await request.form()).multi_items())


def ticked(values: dict[str, str | list[str]], name: str) -> list[str]:
    """The values of the checkboxes ``name`` (ending in ``[]``): none ticked is an empty list."""
    chosen = values.get(name + LIST_MARK, [])
    return chosen if isinstance(chosen, list) else [chosen]


def _compact(values: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
    """Rows of a list left wholly blank are no rows; the others are numbered again from 0."""
    rows: dict[str, dict[int, dict[str, str | list[str]]]] = {}
    kept: dict[str, str | list[str]] = {}
    for name, value in values.items():
        match = re.match(r"^(?P<prefix>.+?)\.(?P<index>\d+)\.(?P<rest>.+)$", name)
        if match is None:
            kept[name] = value
            continue
        rows.setdefault(match["prefix"], {}).setdefault(int(match["index"]), {})[match["rest"]] = value
    for prefix, by_index in rows.items():
        filled = [row for _, row in sorted(by_index.items()) if any(v for v in row.values())]
        for index, row in enumerate(filled):
            for rest, value in row.items():
                kept[f"{prefix}.{index}.{rest}"] = value
    return kept


def nested(values: Mapping[str, str | list[str]], cleared: Iterable[str] = ()) -> dict[str, Any]:
    """The form's values as the JSON object of the input Struct; an empty value is a value not given, except
    in the fields ``cleared`` (an edit form's optional fields), where emptied means null: no value any more."""
    nulls = frozenset(cleared)
    tree: dict[str, Any] = {}
    for name, given in values.items():
        value: str | list[str] | None = given
        if given == "":
            if name not in nulls:
                continue
            value = None
        parts = name.removesuffix(LIST_MARK).split(".")
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = [v for v in value if v] if isinstance(value, list) else value
    shaped: dict[str, Any] = _lists(tree)
    return shaped


def _lists(node: Any) -> Any:
    """``{"0": …, "1": …}`` → ``[…, …]``, all the way down."""
    if not isinstance(node, dict):
        return node
    if node and all(key.isdigit() for key in node):
        return [_lists(node[key]) for key in sorted(node, key=int)]
    return {key: _lists(value) for key, value in node.items()}


def convert(values: Mapping[str, str | list[str]], into: type[T], cleared: Iterable[str] = ()) -> T:
    """The input Struct of the form, or :class:`FormError` naming the field that does not fit it."""
    try:
        return msgspec.convert(nested(values, cleared), into, strict=False)
    except msgspec.ValidationError as error:
        name, message = _validation_problem(str(error), values)
        raise FormError({name: message}) from error


def _validation_problem(text: str, values: Mapping[str, str | list[str]]) -> tuple[str, Text]:
    found = _AT.match(text)
    assert found is not None  # the pattern matches any text
    message, path = found["message"], _INDEX.sub(r".\1", (found["path"] or "").lstrip("."))
    if missing := re.match(r"Object missing required field `(\w+)`", message):
        return ".".join(p for p in (path, missing.group(1)) if p), REQUIRED
    if unused := re.match(r"Object contains unknown field `(\w+)`", message):
        return ".".join(p for p in (path, unused.group(1)) if p), NOT_USED
    if path + LIST_MARK in values or re.sub(r"\.\d+$", "", path) + LIST_MARK in values:
        path = re.sub(r"\.\d+$", "", path) + LIST_MARK
    return path, _message(message)


_KINDS: Final[tuple[tuple[str, Text], ...]] = (
    ("Invalid enum value", CHOICE),
    ("Invalid value", CHOICE),  # a tagged union's unknown tag (an outcome's kind)
    ("date", DATE),
    ("Expected `int`", WHOLE_NUMBER),
    ("Expected `bool", YES_NO),
    (r"\d{4}-(0[1-9]", MONTH),
)
"""msgspec's message → the reader's, by a part of its wording (after the bounds, which carry a number)."""


def _message(message: str) -> Text:
    if length := re.search(r"of length (>=|<=) (\d+)", message):
        return (SHORTEST if length.group(1) == ">=" else LONGEST).format(n=length.group(2))
    if bound := re.search(r"(>=|<=) (-?\d+)", message):
        return (AT_LEAST if bound.group(1) == ">=" else AT_MOST).format(n=bound.group(2))
    return next((text for part, text in _KINDS if part in message), INVALID)


def domain_problem(error: DomainError, fields: Iterable[str], conflict: str = FORM_LEVEL) -> dict[str, Text]:
    """A domain refusal as the message of its field (``extra.field``), or of the whole form; a conflict with
    stored data (409, which names no field) is ``conflict``'s, the one field a form's conflict can be about."""
    text = as_text(error)
    extra = error.extra if isinstance(error.extra, dict) else {}
    name = str(extra.get("field", conflict if isinstance(error, ConflictError) else FORM_LEVEL))
    return {name if name in fields else FORM_LEVEL: text}


def as_text(error: DomainError) -> Text:
    """A refusal's wording in both languages (the services' ``"中文 / English"`` detail split in two)."""
    if error.text is not None:
        return error.text
    zh, _, en = error.detail.partition(" / ")
    return Text(zh, en or zh)


@asynccontextmanager
async def savepoint(db: Db) -> AsyncIterator[None]:
    """A savepoint of the request's transaction: a refused change undoes its writes, the page still commits."""
    async with db.begin_nested():
        yield


async def submit(
    db: Db,
    values: Mapping[str, str | list[str]],
    into: type[T],
    save: Callable[[T], Awaitable[R]],
    *,
    fields: Iterable[str] = (),
    conflict: str = FORM_LEVEL,
    cleared: Iterable[str] = (),
) -> R:
    """Convert the form into ``into`` and save it with ``save`` (a service call) inside a savepoint.

    Raises :class:`FormError` when the form does not convert or the domain refuses it; whatever ``save``
    had written by then is rolled back with the savepoint. ``fields`` are the names a domain problem may
    be shown beside (any other goes above the form); ``conflict`` the field a conflict with stored data is about;
    ``cleared`` the fields whose emptied value means null (see :func:`nested`).
    """
    data = convert(values, into, cleared)
    names = set(fields) | {name.removesuffix(LIST_MARK) for name in values}
    try:
        async with savepoint(db):
            return await save(data)
    except DomainError as error:
        if error.status_code == 404:
            raise  # another street's data: the not-found page, not a form message
        raise FormError(domain_problem(error, names, conflict)) from error


def shown(values: Mapping[str, str | list[str]], problems: Mapping[str, Text], language: Language) -> Form:
    """The form again with what was typed and each problem in the reader's language."""
    errors = {name: text.get(language) for name, text in problems.items()}
    listed = {name.removesuffix(LIST_MARK) for name in values if name.endswith(LIST_MARK)}
    errors = {(name + LIST_MARK if name in listed else name): message for name, message in errors.items()}
    if FORM_LEVEL not in errors:
        errors[FORM_LEVEL] = FIX_BELOW.get(language)
    return Form(values=dict(values), errors=errors)
