"""Helpers of the page tests: sign in through the form, read a form's messages."""

from __future__ import annotations

import re

import httpx

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


def error_beside(html: str, field_id: str) -> str:
    """The message a form shows beside the field ``field_id`` (its input's id)."""
    found = re.search(rf'<p class="error" id="{field_id}-error" role="alert">.*?<span>(.*?)</span>', html, re.DOTALL)
    assert found is not None, f"no message beside {field_id}"
    return found.group(1)
