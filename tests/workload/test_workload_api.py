"""The centres' services (三(三)): record, list, import (all or none), roles and other tenants; a city's monthly
workload per centre and its XLSX, the basis of the employment-service subsidy."""

from __future__ import annotations

import datetime as dt
import io

import httpx
import openpyxl
import pytest

from services.context import AppContext
from tenants.calendar import today
from tests.conftest import Auth
from tests.streetdata_fixtures import (
    StreetUser,
    assert_import_refused,
    assert_refused_on_a_new_street,
    assert_street_scoped_rules,
    audit_rows,
    create_street,
    import_file,
    resource_path,
    xlsx_file,
)

FUTURE = (today() + dt.timedelta(days=3)).isoformat()
SERVICE = {"servedOn": "2024-06-20", "kind": "policy", "people": 12, "staff": "王芳", "note": "创业担保贷款政策解读"}

path = resource_path("services")


async def test_record_and_list_services_by_year(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    headers = await auth.headers("jinan-admin")
    created = await client.post(path(street["id"]), json=SERVICE, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json() == {"id": created.json()["id"], "streetId": street["id"], **SERVICE}
    older = {**SERVICE, "servedOn": "2023-11-02", "kind": "training", "people": 30, "note": None}
    assert (await client.post(path(street["id"]), json=older, headers=headers)).status_code == 201
    listed = await client.get(path(street["id"]), headers=await auth.headers("jinan-viewer"))
    assert [s["servedOn"] for s in listed.json()] == ["2024-06-20", "2023-11-02"]
    assert listed.headers["x-total-count"] == "2"
    in_2023 = (await client.get(path(street["id"]), params={"year": 2023}, headers=headers)).json()
    assert [s["kind"] for s in in_2023] == ["training"]
    [row] = await audit_rows(client, auth, "jinan", "service.create", created.json()["id"])
    assert row["after"]["staff"] == "王芳"


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"kind": "party"}, 400, "kind"),
        ({"servedOn": FUTURE}, 422, "servedOn"),
        ({"people": -1}, 400, "people"),
        ({"staff": ""}, 400, "staff"),
    ],
)
async def test_bad_service_names_the_field_and_writes_nothing(
    auth: Auth, client: httpx.AsyncClient, context: AppContext, change: dict[str, object], status: int, field: str
) -> None:
    await assert_refused_on_a_new_street(
        client, auth, context, "services", {**SERVICE, **change}, status, field, "center_services"
    )


async def test_service_roles_and_other_tenants(
    auth: Auth, client: httpx.AsyncClient, jinan_operator: StreetUser
) -> None:
    await assert_street_scoped_rules(client, auth, "services", lambda: SERVICE, jinan_operator)


async def test_import_is_all_or_nothing_then_whole(auth: Auth, client: httpx.AsyncClient, context: AppContext) -> None:
    street = await create_street(client, auth)
    headers = await auth.headers("jinan-admin")
    rows: list[list[object]] = [
        ["服务日期", "服务类型", "服务人数", "服务人员", "备注"],
        ["2024-03-08", "政策咨询", 5, "王芳", None],
        ["2024-03-09", "跳舞", 5, "王芳", None],
        [FUTURE, "就业服务", 5, "王芳", None],
        ["2024-03-10", "社保服务", "很多", "王芳", None],
    ]
    errors = {(3, "服务类型"), (4, "服务日期"), (5, "服务人数")}
    await assert_import_refused(client, auth, context, "services", street["id"], rows, errors, "center_services")
    good: list[list[object]] = [
        rows[0],
        rows[1],
        ["2024-03-20", "融资服务", 3, "李强", "对接银行"],
        [dt.date(2024, 4, 2), "培训", 20, "王芳", None],
    ]
    imported = await import_file(client, auth, "services", street["id"], xlsx_file(good), "服务.xlsx")
    assert imported.status_code == 201, imported.text
    assert imported.json() == {"imported": 3}
    listed = (await client.get(path(street["id"]), headers=headers)).json()
    assert sorted((s["servedOn"], s["kind"], s["people"]) for s in listed) == [
        ("2024-03-08", "policy", 5),
        ("2024-03-20", "financing", 3),
        ("2024-04-02", "training", 20),
    ]


async def test_the_citys_monthly_workload_and_its_workbook(auth: Auth, client: httpx.AsyncClient) -> None:
    headers = await auth.headers("zibo-admin")
    first = await create_street(client, auth, "zibo")
    second = await create_street(client, auth, "zibo")
    year = 2022  # a year no other test records services in
    for street, served_on, kind, people in [
        (first, f"{year}-03-08", "policy", 5),
        (first, f"{year}-03-20", "financing", 3),
        (first, f"{year}-04-02", "training", 20),
        (second, f"{year}-03-15", "policy", 7),
    ]:
        body = {"servedOn": served_on, "kind": kind, "people": people, "staff": "王芳"}
        assert (await client.post(path(street["id"], "zibo"), json=body, headers=headers)).status_code == 201

    answer = await client.get(f"/api/tenants/zibo/workload/{year}", headers=await auth.headers("zibo-case"))
    assert answer.status_code == 200, answer.text
    workload = answer.json()
    centres = {(c["streetName"], c["month"]): c for c in workload["centres"]}
    march = centres[(first["name"], f"{year}-03")]
    assert (march["services"], march["people"]) == (2, 8)
    assert march["byKind"]["policy"] == 5
    assert march["byKind"]["financing"] == 3
    assert set(centres) == {
        (first["name"], f"{year}-03"),
        (first["name"], f"{year}-04"),
        (second["name"], f"{year}-03"),
    }
    city = {m["month"]: m for m in workload["city"]}
    assert len(city) == 12
    assert (city[f"{year}-03"]["services"], city[f"{year}-03"]["people"]) == (3, 15)
    assert city[f"{year}-03"]["byKind"]["policy"] == 12
    assert city[f"{year}-05"]["people"] == 0

    book = await client.get(f"/api/tenants/zibo/workload/{year}.xlsx", headers=await auth.headers("province"))
    assert book.status_code == 200, book.text
    sheets = openpyxl.load_workbook(io.BytesIO(book.content), read_only=True)
    city_rows = [row for row in sheets["全市汇总"].iter_rows(values_only=True) if row and row[0] == f"{year}-03"]
    assert city_rows[0][1:3] == (3, 15)
    streets = [row for row in sheets["各街区"].iter_rows(values_only=True) if row and row[0] == second["name"]]
    assert streets[0][1:4] == (f"{year}-03", 1, 7)

    # Another city sees none of it, and none of it counts in its own; a year not begun is not there.
    assert (
        await client.get(f"/api/tenants/zibo/workload/{year}", headers=await auth.headers("jinan-admin"))
    ).status_code == 404
    assert (await client.get(f"/api/tenants/jinan/workload/{year}", headers=await auth.headers("jinan-admin"))).json()[
        "centres"
    ] == []
    assert (await client.get(f"/api/tenants/zibo/workload/{today().year + 1}", headers=headers)).status_code == 404
    assert (await client.get(f"/api/tenants/zibo/workload/{year}.pdf", headers=headers)).status_code == 404
