"""The street lifecycle that the selection and cycle workflows drive through ``set_status``."""

from __future__ import annotations

import httpx
import pytest

from infra.db import tenant_transaction
from services.context import AppContext
from services.errors import InvalidError, NotFoundError
from services.streets.schemas import StreetStatus
from services.streets.service import ALLOWED_TRANSITIONS, set_status
from tenants.resolver import resolve
from tests.conftest import Auth
from tests.streetdata_fixtures import audit_rows, count, create_street


async def _set(context: AppContext, street_id: int, status: StreetStatus, reason: str = "年度评估") -> str:
    actor = context.directory.system_actor("jinan")
    async with tenant_transaction(context.sessions, actor.read_ids, actor.write_ids) as session:
        street = await set_status(session, actor, resolve(actor, "jinan"), street_id, status, reason)
    return street.status


async def test_the_whole_lifecycle_with_an_audit_row_per_step(
    auth: Auth, client: httpx.AsyncClient, context: AppContext
) -> None:
    street = await create_street(client, auth)
    steps: list[StreetStatus] = [
        "recommended",
        "pilot",
        "designated",
        "rectification",
        "designated",
        "rectification",
        "revoked",
    ]
    for status in steps:
        assert await _set(context, street["id"], status) == status
    rows = await audit_rows(client, auth, "jinan", "street.status", street["id"])
    assert [r["after"]["status"] for r in reversed(rows)] == steps
    assert all(r["actor"] == "system" and r["after"]["reason"] == "年度评估" for r in rows)


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        (["recommended", "pilot", "designated"], "applied"),
        ([], "designated"),
        ([], "rectification"),
        (["withdrawn"], "applied"),
        (["recommended", "pilot", "designated", "rectification", "revoked"], "designated"),
    ],
)
async def test_transitions_outside_the_lifecycle_are_refused(
    auth: Auth, client: httpx.AsyncClient, context: AppContext, path: list[StreetStatus], refused: StreetStatus
) -> None:
    street = await create_street(client, auth)
    for status in path:
        await _set(context, street["id"], status)
    with pytest.raises(InvalidError, match="cannot change from") as caught:
        await _set(context, street["id"], refused)
    assert caught.value.extra == {"field": "status"}
    current = (
        await client.get(f"/api/tenants/jinan/streets/{street['id']}", headers=await auth.headers("jinan-admin"))
    ).json()["status"]
    assert current == (path[-1] if path else "applied")


async def test_setting_the_same_status_again_is_a_no_op(
    auth: Auth, client: httpx.AsyncClient, context: AppContext
) -> None:
    street = await create_street(client, auth)
    await _set(context, street["id"], "recommended")
    await _set(context, street["id"], "recommended")  # a retried workflow activity
    assert len(await audit_rows(client, auth, "jinan", "street.status", street["id"])) == 1


async def test_a_reason_is_required_and_another_citys_street_is_not_found(
    auth: Auth, client: httpx.AsyncClient, context: AppContext
) -> None:
    street = await create_street(client, auth)
    with pytest.raises(InvalidError, match="reason"):
        await _set(context, street["id"], "recommended", reason="  ")
    qingdao = await create_street(client, auth, "qingdao")
    with pytest.raises(NotFoundError):
        await _set(context, qingdao["id"], "recommended")
    assert (
        await count(
            context,
            "SELECT count(*) FROM streets WHERE tenant_id = 'qingdao' AND id = :i AND status = 'applied'",
            i=qingdao["id"],
        )
        == 1
    )


def test_every_status_has_its_transitions() -> None:
    statuses = set(StreetStatus.__args__)  # type: ignore[attr-defined]
    assert set(ALLOWED_TRANSITIONS) == statuses
    assert all(targets <= statuses for targets in ALLOWED_TRANSITIONS.values())
    assert ALLOWED_TRANSITIONS["revoked"] == ALLOWED_TRANSITIONS["withdrawn"] == frozenset()
