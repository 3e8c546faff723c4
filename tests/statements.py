"""Counting the SQL statements the app runs: the query-count tests of the lists and the pages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from litestar import Litestar
from sqlalchemy import event

from services.auth.sessions import CACHE
from services.context import AppContext
from tests.conftest import Auth, api_client


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


async def page_statements(app: Litestar, context: AppContext, auth: Auth, path: str, username: str) -> int:
    """How many statements a GET of `path` by `username` runs (it must answer 200)."""
    async with api_client(app) as client:
        headers = await auth.headers(username)
        with statements(context) as seen:
            response = await client.get(path, headers=headers)
        assert response.status_code == 200, response.text
    return len(seen)
