"""Rows and their API shapes, field for field by name: a stored row's shape, and a new row's values from a body."""

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


def street_row(tenant: str, street_id: int, data: msgspec.Struct, **given: Any) -> dict[str, Any]:
    """The values of a new row of a street: its tenant and street, each field of `data` (the create body, whose
    fields are named as the row's attributes), and `given` over those (a value the body holds in another form,
    one the server sets)."""
    return {"tenant_id": tenant, "street_id": street_id, **msgspec.structs.asdict(data), **given}
