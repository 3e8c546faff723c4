"""The bounds of every value the API takes: ids, years, months, dates, names and free text.

Declared in the schema, so that OpenAPI shows them and validation refuses what lies outside them before any
query runs (an id past 64 bits would otherwise reach PostgreSQL and fail there). ``Meta`` types are for
Struct fields, ``Parameter`` types for path and query parameters.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Final

import msgspec
from litestar import Request
from litestar.exceptions import ClientException
from litestar.params import Parameter, QueryParameter

from services.text import Text as Wording
from tenants.calendar import today

MAX_ID: Final = 2**63 - 1
"""Ids are PostgreSQL ``bigint``: 1 to 2^63 - 1."""
# OpenAPI gets bounds as floats, and 2^63 - 1 rounds up to 2^63 there: state the exact integer instead.
_EXACT_MAX: Final = {"maximum": MAX_ID}
FIRST_DAY: Final = dt.date(1949, 1, 1)
"""No real-world event the programme records happened before 1949."""
FIRST_YEAR: Final = 2000
LAST_YEAR: Final = 2100
"""The programme's years (rules, assessments, cycles)."""

# No C0/C1 control characters (NUL included) anywhere, and at least one character that is not white space.
# `$(?!\n)`: Python's `$` also matches before a final newline, which the class already refuses elsewhere.
NAME_PATTERN: Final = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$(?!\n)"
# Free text may hold line breaks and tabs, nothing else below the space.
TEXT_PATTERN: Final = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
# A code typed by people or programs (USCC, district, a criterion's id or fact): printable, no spaces.
CODE_PATTERN: Final = r"^[^\s\x00-\x1f\x7f-\x9f]+$(?!\n)"
# YYYY-MM from 1949-01 to 2099-12 (whether it lies in the future is the domain's question).
MONTH_PATTERN: Final = r"^(19(49|[5-9]\d)|20\d\d)-(0[1-9]|1[0-2])$"

_MONTH = "1949-01 起的月份 YYYY-MM / a month YYYY-MM from 1949-01 on"
Id = Annotated[
    int,
    msgspec.Meta(ge=1, le=MAX_ID, description="编号 / an id, 1 to 2^63-1", extra_json_schema={"extra": _EXACT_MAX}),
]
Year = Annotated[int, msgspec.Meta(ge=FIRST_YEAR, le=LAST_YEAR, description="年度 / a year, 2000 to 2100")]
Month = Annotated[str, msgspec.Meta(pattern=MONTH_PATTERN, description=_MONTH)]
EventDate = Annotated[
    dt.date,
    msgspec.Meta(
        description="日期，1949-01-01 至明年年底 / a date from 1949-01-01 to the end of next year",
    ),
]
"""A real-world date; :class:`services.schemas.InputStruct` refuses any date outside :func:`date_problem`'s range."""
_NAME = "1–{0} 字，不能为空白或含控制字符 / 1-{0} characters, not blank, no control characters"
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NAME_PATTERN, description=_NAME.format(200))]
ShortName = Annotated[
    str, msgspec.Meta(min_length=1, max_length=100, pattern=NAME_PATTERN, description=_NAME.format(100))
]
Code = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=100,
        pattern=CODE_PATTERN,
        description="代码，不含空格或控制字符 / a code: no spaces, no control characters",
    ),
]
Url = Annotated[
    str,
    msgspec.Meta(max_length=500, pattern=TEXT_PATTERN, description="网址，至多 500 字 / a URL, at most 500 characters"),
]
_TEXT = "至多 {0} 字，除换行和制表符外不含控制字符 / at most {0} characters, no control characters but line breaks"
ShortText = Annotated[str, msgspec.Meta(max_length=200, pattern=TEXT_PATTERN, description=_TEXT.format(200))]
FreeText = Annotated[str, msgspec.Meta(max_length=2000, pattern=TEXT_PATTERN, description=_TEXT.format(2000))]
Integer = Annotated[
    int,
    msgspec.Meta(
        ge=-MAX_ID - 1, le=MAX_ID, description="64 位整数 / a 64-bit integer", extra_json_schema={"extra": _EXACT_MAX}
    ),
]
"""An integer the database stores as bigint (a custom field's value, a criterion's threshold)."""
LongText = Annotated[str, msgspec.Meta(max_length=4000, pattern=TEXT_PATTERN, description=_TEXT.format(4000))]


IdParam = Annotated[
    int, Parameter(ge=1, le=MAX_ID, description="编号 / an id, 1 to 2^63-1", schema_extra=dict(_EXACT_MAX))
]
YearParam = Annotated[int, Parameter(ge=FIRST_YEAR, le=LAST_YEAR, description="年度 / the year, 2000 to 2100")]
CriterionId = Annotated[
    str, Parameter(min_length=1, max_length=100, pattern=CODE_PATTERN, description="条件编号 / the criterion's id")
]
MonthParam = Annotated[str, Parameter(pattern=MONTH_PATTERN, description=_MONTH)]
# A name that is also a path segment (a rule test case's): a name without "/".
SEGMENT_PATTERN: Final = r"^[^/\x00-\x1f\x7f-\x9f]*[^/\s\x00-\x1f\x7f-\x9f][^/\x00-\x1f\x7f-\x9f]*$(?!\n)"
_SEGMENT = "1–200 字，不能为空白，不含“/”或控制字符 / 1-200 characters, not blank, no '/' or control characters"
SegmentName = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=SEGMENT_PATTERN, description=_SEGMENT)]
SegmentParam = Annotated[str, Parameter(min_length=1, max_length=200, pattern=SEGMENT_PATTERN, description=_SEGMENT)]


def id_query(name: str, description: str) -> Any:
    """An optional id filter in the query string, named ``name`` there."""
    return QueryParameter(name=name, ge=1, le=MAX_ID, description=description, schema_extra=dict(_EXACT_MAX))


def year_query(description: str) -> Any:
    """An optional year filter in the query string."""
    return QueryParameter(ge=FIRST_YEAR, le=LAST_YEAR, description=description)


def text_query(name: str, max_length: int, description: str) -> Any:
    """An optional text filter in the query string."""
    return QueryParameter(name=name, max_length=max_length, pattern=CODE_PATTERN, description=description)


def last_day() -> dt.date:
    """The end of next year: the latest date anything may be planned for (an internship's close, say)."""
    return dt.date(today().year + 1, 12, 31)


def date_problem(field: str, value: dt.date) -> Wording | None:
    """Why ``value`` is no real-world date of the programme, or None (a moment is judged by its day)."""
    last = last_day()
    day = value.date() if isinstance(value, dt.datetime) else value
    if FIRST_DAY <= day <= last:
        return None
    return Wording(
        f"{field}（{value.isoformat()}）应在 {FIRST_DAY.isoformat()} 至 {last.isoformat()} 之间",
        f"{field} ({value.isoformat()}) must lie between {FIRST_DAY.isoformat()} and {last.isoformat()}",
    )


# ------------------------------------------------------------------------------------------ request bodies

MAX_BODY_BYTES: Final = 1024 * 1024
"""Any JSON body: the largest real one (a batch of 10,000 survey answers) is well below a megabyte."""
MAX_UPLOAD_BYTES: Final = 16 * 1024 * 1024
"""An import file (CSV or XLSX of at most 20,000 rows)."""
MAX_JSON_DEPTH: Final = 32
"""Nesting of a JSON body: the deepest Struct nests 4 levels; deep nesting would exhaust the decoder's stack."""

_JSON_STRING: Final = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS: Final = bytes(sorted(set(range(256)) - set(b"[]{}")))
_OPENING: Final = frozenset(b"[{")


def too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether JSON ``body`` nests arrays and objects more than ``limit`` deep (brackets in strings aside)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for byte in _JSON_STRING.sub(b"", body).translate(None, _NOT_BRACKETS):
        depth = depth + 1 if byte in _OPENING else depth - 1
        if depth > limit:
            return True
    return False


class BoundedRequest(Request[Any, Any, Any]):
    """A request whose JSON body is refused (400) when it nests deeper than :data:`MAX_JSON_DEPTH`, before decoding."""

    async def json(self) -> Any:
        if too_deep(await self.body()):
            raise ClientException(
                detail=str(
                    Wording(
                        f"请求体 JSON 嵌套过深（最多 {MAX_JSON_DEPTH} 层）",
                        f"the JSON body nests too deep (at most {MAX_JSON_DEPTH} levels)",
                    )
                )
            )
        return await super().json()
