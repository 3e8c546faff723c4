"""Schemathesis over the whole OpenAPI document, as a city admin and as the province: no 5xx, no answer
that contradicts the document.

The test command runs a short pass (a few examples per operation, a fixed seed); a longer one is run by
hand with ``JIEQU_FUZZ_EXAMPLES=50 .venv/bin/pytest -m fuzz tests/api/test_fuzz.py`` (over 1,000 requests).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.stack import DEMO_PASSWORD, running_stack

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("JIEQU_FUZZ_EXAMPLES", "4"))
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
# Schemathesis's CLI (`st`), with its ASGI transport imported before its two workers start: each would import it
# on first use, and CPython 3.11.7 can fail two `compile()` calls made at once in different threads (a SystemError,
# "AST constructor recursion depth mismatch"), which fails the run with errors that are not the API's.
_SCHEMATHESIS = """
import sys
import schemathesis.transport.asgi
from schemathesis.cli import schemathesis
sys.exit(schemathesis())
"""


@pytest.fixture(scope="module")
async def fuzz_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """The whole product with its demo data, in a data folder of its own: what the fuzzer writes stays there."""
    async with running_stack(tmp_path_factory.mktemp("fuzz") / "data") as url:
        yield url


def _token(url: str, username: str, password: str) -> str:
    response = httpx.post(f"{url}/api/auth/login", json={"username": username, "password": password}, timeout=30)
    assert response.status_code == 201, response.text
    token: str = response.json()["accessToken"]
    return token


@pytest.mark.parametrize("username", ["jinan-admin", "province"])
def test_no_server_error_and_no_answer_against_the_document(fuzz_url: str, username: str, tmp_path: Path) -> None:
    token = _token(fuzz_url, username, DEMO_PASSWORD)
    command = [
        sys.executable,
        "-c",
        _SCHEMATHESIS,
        "run",
        f"{fuzz_url}/schema/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        "20240506",
        "--workers",
        "2",
        "--no-color",
        # Signing out or changing the password would end the fuzzer's own session.
        "--exclude-path-regex",
        "^/api/auth/",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1800, cwd=tmp_path, check=False)
    output = result.stdout + result.stderr
    generated = re.search(r"(\d+) generated", output)
    print(output[-4000:])
    assert generated is not None, output[-6000:]
    assert int(generated.group(1)) > 0, output[-6000:]
    assert result.returncode == 0, output[-12000:]
