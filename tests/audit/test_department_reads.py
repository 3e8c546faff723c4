"""A partner department reads, and its reads of personal data are audited; the city's own staff are not audited
for reading, and a department can change nothing."""

from __future__ import annotations

import httpx

from tests.conftest import Auth
from tests.streetdata_fixtures import audit_rows, create_entity, create_street


async def test_a_departments_reads_of_the_ledger_are_in_the_city_audit_trail(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    street = await create_street(client, auth, "linyi")
    entity = await create_entity(client, auth, street["id"], "linyi")
    admin = await auth.headers("linyi-admin")
    entry = await client.post(
        "/api/tenants/linyi/ledger", json={"entityId": entity["id"], "need": "policy"}, headers=admin
    )
    assert entry.status_code == 201, entry.text
    entry_id = entry.json()["id"]

    finance = await auth.headers("shandong-czt")
    listed = await client.get("/api/tenants/linyi/ledger", params={"entityId": entity["id"]}, headers=finance)
    assert listed.status_code == 200, listed.text
    assert [e["id"] for e in listed.json()] == [entry_id]
    assert (await client.get(f"/api/tenants/linyi/ledger/{entry_id}", headers=finance)).status_code == 200
    assert (await client.get(f"/api/tenants/linyi/ledger/{entry_id}/visits", headers=finance)).status_code == 200

    reads = [
        row for row in await audit_rows(client, auth, "linyi", "personal_data.read") if row["actor"] == "shandong-czt"
    ]
    assert [(row["objectType"], row["objectId"]) for row in reversed(reads[:3])] == [
        ("ledger", "list"),
        ("ledger_entry", str(entry_id)),
        ("ledger_visits", str(entry_id)),
    ]
    assert reads[2]["after"] == {"rows": 1, "entities": [entity["id"]]}

    # The city's own reads are its work, not audited as reads; the department writes nothing.
    before = len(await audit_rows(client, auth, "linyi", "personal_data.read"))
    assert (await client.get("/api/tenants/linyi/ledger", headers=admin)).status_code == 200
    assert len(await audit_rows(client, auth, "linyi", "personal_data.read")) == before
    refused = await client.post(
        "/api/tenants/linyi/ledger", json={"entityId": entity["id"], "need": "talent"}, headers=finance
    )
    assert refused.status_code == 403
