"""Every id, offset, month, date and name the API takes is bounded: outside the bounds is a 4xx naming the
field, never a 500 from the database, and nothing is written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from litestar.routes import HTTPRoute

from infra.settings import load_settings
from services.app import create_app
from services.context import AppContext
from services.shared.bounds import MAX_ID
from tests.conftest import Auth, body
from tests.streetdata_fixtures import assert_refused_on_a_new_street, count, create_entity, create_street, street_body

HUGE = 99_999_999_999_999_999_999  # past 64 bits: 500 from PostgreSQL before the bounds
FILLERS: dict[str, str] = {
    "tenant": "jinan",
    "province": "shandong",
    "year": "2025",
    "month": "2025-01",
    "report": "2025",
    "claim": "legal_person",
}


def _routes() -> Iterator[tuple[str, str, list[str]]]:
    """(method, path format, its int parameters other than the year) of every API route."""
    # The route table needs no database: an app over a context that never connects lists the same routes.
    settings = load_settings({"JIEQU_JWT_SECRET": "route-table-" + "x" * 40, "JIEQU_DATA_DIR": "/nonexistent"})
    app = create_app(AppContext.create(settings, "postgresql://nobody@127.0.0.1:9/none"))
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api"):
            continue
        ids = [name for name, p in route.path_parameters.items() if p.type is int and name != "year"]
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                yield method, route.path_format, ids


ID_ROUTES = [(method, path, name) for method, path, ids in _routes() for name in ids]
LIST_ROUTES = sorted({path for method, path, _ in _routes() if method == "GET"})


def _url(path: str, **values: object) -> str:
    """``path`` with its parameters filled: a city, a year, id 1, and ``values`` where given."""
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    return path.format(**{name: values.get(name, FILLERS.get(name, "1")) for name in names})


def _user(path: str) -> str:
    return "province" if path.startswith("/api/province") else "jinan-admin"


def test_the_route_table_has_the_id_routes_it_should() -> None:
    named = {name for _, _, name in ID_ROUTES}
    assert {"street_id", "entity_id", "entry_id", "assessment_id", "notification_id", "internship_id"} <= named
    assert len(ID_ROUTES) > 25


@pytest.mark.parametrize(("method", "path", "name"), ID_ROUTES, ids=[f"{m} {p} {n}" for m, p, n in ID_ROUTES])
async def test_an_id_past_64_bits_in_the_path_is_refused_naming_it(
    client: httpx.AsyncClient, auth: Auth, method: str, path: str, name: str
) -> None:
    sends: dict[str, Any] = {}
    if path.endswith(("/import", "/images")) or (method == "PUT" and path.endswith("/evidence")):  # uploads
        sends["files"] = {"file": ("rows.csv", b"name\r\n")}
    elif method in {"POST", "PUT", "PATCH"}:
        sends["json"] = {}
    response = await client.request(
        method, _url(path, **{name: HUGE}), headers=await auth.headers(_user(path)), **sends
    )
    assert response.status_code in {400, 404}, response.text
    if response.status_code == 400:
        assert name in {problem["field"] for problem in body(response)["extra"]}, response.text


@pytest.mark.parametrize("path", LIST_ROUTES)
async def test_an_offset_past_64_bits_is_refused_on_every_list(
    client: httpx.AsyncClient, auth: Auth, path: str
) -> None:
    street = await create_street(client, auth)
    url = _url(path, street_id=street["id"])
    headers = await auth.headers(_user(path))
    response = await client.get(url, params={"offset": str(HUGE)}, headers=headers)
    at_the_bound = await client.get(url, params={"offset": str(MAX_ID)}, headers=headers)
    for answer in (response, at_the_bound):  # the cycle's routes answer 503 here: no Temporal in these tests
        assert answer.status_code < 500 or answer.status_code == 503, answer.text
    if response.status_code == 400 and "offset" in {p["field"] for p in body(response)["extra"]}:
        # At the bound: an empty page, or 404 where the list's parent (ledger entry 1) does not exist.
        assert at_the_bound.status_code in (200, 404), at_the_bound.text
        if at_the_bound.status_code == 200:
            assert at_the_bound.json() == []


async def test_every_paged_list_bounds_its_offset(client: httpx.AsyncClient, auth: Auth) -> None:
    street = await create_street(client, auth)
    paged = []
    for path in LIST_ROUTES:
        url = _url(path, street_id=street["id"])
        response = await client.get(url, params={"offset": str(HUGE)}, headers=await auth.headers(_user(path)))
        if response.status_code == 400 and "offset" in {p["field"] for p in body(response)["extra"]}:
            paged.append(path)
    assert len(paged) >= 5, paged  # streets, entities, activities, assessments, ledger, tasks


@pytest.mark.parametrize(
    ("path", "data", "field"),
    [
        ("/api/tenants/jinan/ledger", {"entityId": HUGE, "need": "hr"}, "entityId"),
        ("/api/tenants/jinan/ledger?entityId=" + str(HUGE), None, "entityId"),
        ("/api/tenants/jinan/tasks?streetId=" + str(HUGE), None, "streetId"),
        ("/api/tenants/jinan/cycles/2026/applications", {"streetId": HUGE}, "streetId"),
        ("/api/tenants/jinan/cycles/2026/recommendations", {"streetIds": [1, HUGE]}, "streetIds[1]"),
        (
            "/api/tenants/jinan/streets/1/internships",
            {"title": "见习", "openedOn": "2025-01-01", "entityId": HUGE},
            "entityId",
        ),
        (
            "/api/tenants/jinan/rules/simulate",
            {
                "year": 2025,
                "criteria": [
                    {
                        "id": "x",
                        "titleZh": "x",
                        "titleEn": "x",
                        "fact": "entity_count",
                        "op": ">=",
                        "value": HUGE,
                        "level": "required",
                    }
                ],
            },
            "criteria[0].value",
        ),
    ],
)
async def test_ids_past_64_bits_in_bodies_and_queries_are_refused_naming_them(
    client: httpx.AsyncClient, auth: Auth, path: str, data: dict[str, Any] | None, field: str
) -> None:
    method = "GET" if data is None else "POST"
    response = await client.request(method, path, json=data, headers=await auth.headers("jinan-admin"))
    assert response.status_code == 400, response.text
    assert field in {problem["field"] for problem in body(response)["extra"]}


@pytest.mark.parametrize(
    ("resource", "data", "field", "table"),
    [
        ("activities", {"kind": "salon", "title": "创业沙龙", "heldOn": "1900-05-04"}, "heldOn", "activities"),
        ("activities", {"kind": "salon", "title": "创业沙龙", "heldOn": "3000-01-01"}, "heldOn", "activities"),
        (
            "entities",
            {"name": "老字号", "uscc": "x", "kind": "other", "foundedOn": "0001-01-01"},
            "foundedOn",
            "entities",
        ),
        ("surveys", {"responses": [{"respondedOn": "1900-01-01", "rating": 5}]}, "respondedOn", "survey_responses"),
        ("internships", {"title": "见习岗位", "openedOn": "1800-01-01"}, "openedOn", "internship_positions"),
        ("reports", {"month": "0000-01", "jobsDriven": 3}, "month", "monthly_reports"),
        ("reports", {"month": "1948-12", "jobsDriven": 3}, "month", "monthly_reports"),
        ("activities", {"kind": "salon", "title": "   ", "heldOn": "2025-05-04"}, "title", "activities"),
        ("activities", {"kind": "salon", "title": "\u3000", "heldOn": "2025-05-04"}, "title", "activities"),
        ("entities", {"name": "青创\x00电商", "uscc": "x", "kind": "other"}, "name", "entities"),
        ("internships", {"title": "见习\x07岗位", "openedOn": "2025-01-01"}, "title", "internship_positions"),
        ("reports", {"month": "2025-01", "jobsDriven": 3, "notes": "备注\x00"}, "notes", "monthly_reports"),
    ],
)
async def test_dates_months_and_names_out_of_bounds_are_refused_and_write_nothing(
    client: httpx.AsyncClient,
    auth: Auth,
    context: AppContext,
    resource: str,
    data: dict[str, Any],
    field: str,
    table: str,
) -> None:
    await assert_refused_on_a_new_street(client, auth, context, resource, data, 400, field, table)


async def test_a_month_out_of_bounds_in_the_path_is_refused(client: httpx.AsyncClient, auth: Auth) -> None:
    street = await create_street(client, auth)
    response = await client.put(
        f"/api/tenants/jinan/streets/{street['id']}/reports/0000-01",
        json={"jobsDriven": 5},
        headers=await auth.headers("jinan-admin"),
    )
    assert response.status_code == 400, response.text
    assert "1949-01" in body(response)["detail"]


@pytest.mark.parametrize("name", ["   ", "\t", "街区\x00", "街\x1b[31m区", "\u3000\u3000"])
async def test_blank_names_and_control_characters_are_refused_in_a_street(
    client: httpx.AsyncClient, auth: Auth, context: AppContext, name: str
) -> None:
    before = await count(context, "SELECT count(*) FROM streets WHERE tenant_id = 'jinan'")
    for data in (street_body(name=name), street_body(operator={**street_body()["operator"], "name": name})):
        response = await client.post("/api/tenants/jinan/streets", json=data, headers=await auth.headers("jinan-admin"))
        assert response.status_code == 400, response.text
        assert "控制字符" in body(response)["detail"]
    assert await count(context, "SELECT count(*) FROM streets WHERE tenant_id = 'jinan'") == before


async def test_free_text_keeps_line_breaks_but_not_nul(client: httpx.AsyncClient, auth: Auth) -> None:
    street = await create_street(client, auth)
    entity = await create_entity(client, auth, street["id"])
    headers = await auth.headers("jinan-case")
    kept = await client.post(
        "/api/tenants/jinan/ledger",
        headers=headers,
        json={"entityId": entity["id"], "need": "hr", "action": "第一次走访\n\t约定下月再访"},
    )
    assert kept.status_code == 201, kept.text
    assert kept.json()["action"] == "第一次走访\n\t约定下月再访"
    refused = await client.post(
        "/api/tenants/jinan/ledger",
        headers=headers,
        json={"entityId": entity["id"], "need": "talent", "action": "走访\x00"},
    )
    assert refused.status_code == 400, refused.text
    assert body(refused)["extra"][0]["field"] == "action"


@pytest.mark.parametrize("query", [{"objectType": "street\x00"}, {"objectType": "x" * 101}])
async def test_query_strings_are_bounded(client: httpx.AsyncClient, auth: Auth, query: dict[str, str]) -> None:
    response = await client.get("/api/tenants/jinan/audit", params=query, headers=await auth.headers("jinan-admin"))
    assert response.status_code == 400, response.text
    assert body(response)["extra"][0]["field"] == "objectType"


@pytest.mark.parametrize("username", ["jinan\x00admin", "x" * 10_000, "   "])
async def test_sign_in_refuses_nul_blank_and_overlong_names_without_a_500(
    client: httpx.AsyncClient, username: str
) -> None:
    response = await client.post("/api/auth/login", json={"username": username, "password": "test-pass-2024"})
    assert response.status_code == 400, response.text
    assert body(response)["extra"][0]["field"] == "username"
