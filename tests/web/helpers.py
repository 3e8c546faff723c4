"""Helpers of the page tests: sign in through the form, count the SQL statements a request runs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event

from services.context import AppContext
from tests.conftest import PASSWORD


def csrf_of(html: str) -> str:
    """The CSRF token of a page's form."""
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found is not None, html[:500]
    return found.group(1)


async def sign_in_form(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    """Open the sign-in page and post its form, as a browser without JavaScript does."""
    start = await client.get("/")
    return await client.post("/", data={"username": username, "password": password, "_csrf_token": csrf_of(start.text)})


@contextmanager
def statements(context: AppContext) -> Iterator[list[str]]:
    """The SQL statements run on the app's engine inside the block."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(context.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(context.engine.sync_engine, "before_cursor_execute", count)


def error_beside(html: str, field_id: str) -> str:
    """The message a form shows beside the field ``field_id`` (its input's id)."""
    found = re.search(rf'<p class="error" id="{field_id}-error" role="alert">.*?<span>(.*?)</span>', html, re.DOTALL)
    assert found is not None, f"no message beside {field_id}"
    return found.group(1)
