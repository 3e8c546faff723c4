"""A list's optional filters: a query parameter left out leaves its column unfiltered."""

from __future__ import annotations

from typing import Any

from sqlmodel import col

from services.shared.names import Q


def where_given(query: Q, *filters: tuple[Any, object]) -> Q:
    """`query` narrowed to the rows whose column equals its value, for each (column, value) given (not None)."""
    for column, value in filters:
        if value is not None:
            query = query.where(col(column) == value)
    return query
