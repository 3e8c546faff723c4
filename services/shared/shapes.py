"""The API shape of a stored row: each field of the schema read off the row's attribute of the same name."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

S = TypeVar("S", bound=msgspec.Struct)


def shape_of(into: type[S], row: object, **given: Any) -> S:
    """`into` made of `row`: each field from `given` where it is named there (a joined name, a value the row
    holds in another form), else from the row's attribute of the same name.

    Nothing is validated again: the database's constraints already keep a row within the schema's types.
    """
    return into(**{name: given[name] if name in given else getattr(row, name) for name in into.__struct_fields__})
