"""The base Structs of the HTTP boundary: camelCase JSON, unknown input fields refused, dates bounded."""

from __future__ import annotations

import datetime as dt

import msgspec

from services.shared.bounds import date_problem


class BaseStruct(msgspec.Struct, rename="camel", kw_only=True):
    """Output and shared shapes."""


class InputStruct(msgspec.Struct, rename="camel", kw_only=True, forbid_unknown_fields=True):
    """Request bodies: a misspelt field is an error, not silently dropped.

    Every date in a request is a real-world one (1949-01-01 to the end of next year, ``EventDate``): msgspec
    cannot bound a date in the schema, so the check runs here, for every input Struct and import row alike.
    """

    def __post_init__(self) -> None:
        for name, field in zip(self.__struct_fields__, self.__struct_encode_fields__, strict=True):
            value = getattr(self, name)
            if isinstance(value, dt.date) and (problem := date_problem(field, value)) is not None:
                raise ValueError(str(problem))
