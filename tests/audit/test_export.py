"""The audit trail of a date range as CSV: the province and the city's admin download it with its hash chain;
other cities and roles get nothing; a bad range is refused naming the problem."""

from __future__ import annotations

import csv
import io
import itertools

import httpx

from tenants.calendar import today
from tests.conftest import Auth
from tests.streetdata_fixtures import create_street

EXPORT = "/api/tenants/jinan/audit.csv"


def rows_of(response: httpx.Response) -> list[list[str]]:
    assert response.content.startswith("\ufeff".encode())  # Excel opens it with Chinese intact
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


async def test_the_province_downloads_a_citys_audit_trail_with_its_chain(client: httpx.AsyncClient, auth: Auth) -> None:
    street = await create_street(client, auth, "jinan")
    day = today().isoformat()
    answer = await client.get(EXPORT, params={"from": day, "to": day}, headers=await auth.headers("province"))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert f'filename="audit-jinan-{day}-{day}.csv"' in answer.headers["content-disposition"]
    header, *rows = rows_of(answer)
    assert header[0] == "链序号 chain no."
    assert header[-1] == "本行哈希 row hash"
    numbers = [int(row[0]) for row in rows]
    assert numbers == sorted(numbers)
    created = [row for row in rows if row[3] == "street.create" and row[5] == str(street["id"])]
    assert len(created) == 1
    assert street["name"] in created[0][7]
    assert len(created[0][10]) == 64  # SHA-256 in hex
    # Each row holds the hash of the row before it in the chain.
    consecutive = [(a, b) for a, b in itertools.pairwise(rows) if int(b[0]) == int(a[0]) + 1]
    assert consecutive
    assert all(b[9] == a[10] for a, b in consecutive)
    # The city's own admin may download it too; a day without rows gives the header alone.
    own = await client.get(
        EXPORT, params={"from": "2001-01-01", "to": "2001-01-31"}, headers=await auth.headers("jinan-admin")
    )
    assert own.status_code == 200, own.text
    assert len(rows_of(own)) == 1


async def test_other_cities_roles_and_bad_ranges_get_nothing(client: httpx.AsyncClient, auth: Auth) -> None:
    day = today().isoformat()
    other = await client.get(EXPORT, params={"from": day, "to": day}, headers=await auth.headers("qingdao-admin"))
    assert other.status_code == 404
    assert "street.create" not in other.text
    caseworker = await client.get(EXPORT, params={"from": day, "to": day}, headers=await auth.headers("jinan-case"))
    assert caseworker.status_code == 403
    admin = await auth.headers("jinan-admin")
    backwards = await client.get(EXPORT, params={"from": day, "to": "2001-01-01"}, headers=admin)
    assert backwards.status_code == 422
    assert "早于" in backwards.json()["detail"]
    assert "before it starts" in backwards.json()["detail"]
    ancient = await client.get(EXPORT, params={"from": "0001-01-01", "to": day}, headers=admin)
    assert ancient.status_code == 422, ancient.text
    assert "1949-01-01" in ancient.json()["detail"]
    missing = await client.get(EXPORT, params={"from": day}, headers=admin)
    assert missing.status_code == 400
    assert "to" in missing.json()["detail"]
