"""Counting the SQL statements the app runs: the query-count tests of the lists and the pages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from services.auth.sessions import CACHE
from services.context import AppContext


@contextmanager
def statements(context: AppContext) -> Iterator[list[str]]:
    """The SQL statements run on the app's engine inside the block.

    The signed-in user is looked up afresh inside every block: the session cache keeps a user for 3 s, so
    without this a count would hold that lookup or not depending on how fast the test ran.
    """
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    CACHE.clear()
    engine = context.engine.sync_engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)
