"""Checks shared by the street-data domains: problems that name their field, dates not in the future."""

from __future__ import annotations

import datetime as dt

import msgspec

from services.errors import InvalidError
from services.shared.uscc import UsccError, validate_uscc
from tenants.calendar import today


class FieldProblem(msgspec.Struct, frozen=True):
    """What is wrong with one input field, in Chinese then English; `field` is its JSON name."""

    field: str
    zh: str
    en: str

    @property
    def text(self) -> str:
        return f"{self.zh} / {self.en}"

    def error(self) -> InvalidError:
        """The 422 of a JSON request: the detail names the field, and `extra.field` carries it."""
        return InvalidError(self.text, extra={"field": self.field})


def raise_first(problems: list[FieldProblem]) -> None:
    """Refuse a JSON request with its first problem (imports report them all instead)."""
    if problems:
        raise problems[0].error()


def future_date(field: str, value: dt.date | None) -> FieldProblem | None:
    """A problem when `value` lies after today (something recorded as done cannot be in the future)."""
    if value is None or value <= today():
        return None
    return FieldProblem(
        field,
        f"{field}（{value.isoformat()}）不能晚于今天",
        f"{field} ({value.isoformat()}) cannot be in the future",
    )


def found(*problems: FieldProblem | None) -> list[FieldProblem]:
    """The problems that were found, in order."""
    return [problem for problem in problems if problem is not None]


def checked_uscc(field: str, code: str) -> str:
    """The normalised 统一社会信用代码, or a 422 naming `field` and what is wrong with the code."""
    try:
        return validate_uscc(code)
    except UsccError as error:
        raise FieldProblem(
            field, f"统一社会信用代码无效：{error.message_zh}", f"invalid USCC: {error.message_en}"
        ).error() from error
