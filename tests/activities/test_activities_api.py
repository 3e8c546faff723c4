"""Activities of a street: record, list by year, import (CSV and XLSX, all or none), roles, other tenants."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from services.context import AppContext
from tests.conftest import Auth
from tests.streetdata_fixtures import (
    StreetUser,
    assert_import_refused,
    assert_refused_on_a_new_street,
    assert_street_scoped_rules,
    audit_rows,
    create_street,
    csv_file,
    import_file,
    resource_path,
    xlsx_file,
)

FUTURE = (dt.date.today() + dt.timedelta(days=3)).isoformat()
ACTIVITY = {"kind": "salon", "title": "青年创业沙龙（第3期）", "heldOn": "2024-09-12", "participants": 36}


path = resource_path("activities")


async def test_record_and_list_activities_by_year(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    headers = await auth.headers("jinan-admin")
    response = await client.post(path(street["id"]), json=ACTIVITY, headers=headers)
    assert response.status_code == 201, response.text
    activity = response.json()
    assert activity == {"id": activity["id"], **ACTIVITY}
    older = {**ACTIVITY, "kind": "training", "title": "SYB创业培训班", "heldOn": "2023-11-02"}
    assert (await client.post(path(street["id"]), json=older, headers=headers)).status_code == 201
    listed = (await client.get(path(street["id"]), headers=await auth.headers("jinan-viewer"))).json()
    assert [a["heldOn"] for a in listed] == ["2024-09-12", "2023-11-02"]  # newest first
    in_2023 = (await client.get(path(street["id"]), params={"year": 2023}, headers=headers)).json()
    assert [a["title"] for a in in_2023] == ["SYB创业培训班"]
    assert len((await client.get(path(street["id"]), params={"limit": 1}, headers=headers)).json()) == 1
    [row] = await audit_rows(client, auth, "jinan", "activity.create", activity["id"])
    assert row["after"]["title"] == ACTIVITY["title"]


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"kind": "party"}, 400, "kind"),
        ({"heldOn": FUTURE}, 422, "heldOn"),
        ({"heldOn": "2024-02-30"}, 400, "heldOn"),
        ({"participants": -1}, 400, "participants"),
        ({"title": ""}, 400, "title"),
    ],
)
async def test_bad_activity_names_the_field_and_writes_nothing(
    auth: Auth, client: httpx.AsyncClient, context: AppContext, change: dict[str, object], status: int, field: str
) -> None:
    await assert_refused_on_a_new_street(
        client, auth, context, "activities", {**ACTIVITY, **change}, status, field, "activities"
    )


async def test_activity_roles_and_other_tenants(
    auth: Auth, client: httpx.AsyncClient, jinan_operator: StreetUser
) -> None:
    await assert_street_scoped_rules(client, auth, "activities", lambda: ACTIVITY, jinan_operator)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
async def test_import_with_chinese_headers(auth: Auth, client: httpx.AsyncClient, kind: str) -> None:
    street = await create_street(client, auth)
    rows: list[list[object]] = [
        ["活动类型", "活动名称", "举办日期", "参加人数"],
        ["创业沙龙", "返乡创业者交流会", "2024-03-08", 25],
        ["培训", "直播电商技能培训", dt.date(2024, 4, 20) if kind == "xlsx" else "2024/4/20", 48],
        ["guidance", "一对一创业指导", "2024年5月6日", None],
    ]
    content = csv_file(rows) if kind == "csv" else xlsx_file(rows)
    response = await import_file(client, auth, "activities", street["id"], content, f"活动.{kind}")
    assert response.status_code == 201, response.text
    assert response.json() == {"imported": 3}
    listed = (await client.get(path(street["id"]), headers=await auth.headers("jinan-admin"))).json()
    assert {(a["kind"], a["heldOn"], a["participants"]) for a in listed} == {
        ("salon", "2024-03-08", 25),
        ("training", "2024-04-20", 48),
        ("guidance", "2024-05-06", 0),
    }
    [row] = await audit_rows(client, auth, "jinan", "activity.import", street["id"])
    assert row["after"]["count"] == 3


async def test_import_is_all_or_nothing(auth: Auth, client: httpx.AsyncClient, context: AppContext) -> None:
    street = await create_street(client, auth)
    rows: list[list[object]] = [
        ["kind", "title", "heldOn", "participants"],
        ["salon", "好的一行", "2024-03-08", 25],
        ["party", "类型错误", "2024-03-09", 10],
        ["training", "未来活动", FUTURE, 10],
        ["training", "", "2024-03-10", 10],
        ["training", "人数错误", "2024-03-11", "很多"],
    ]
    errors = {(3, "kind"), (4, "heldOn"), (5, "title"), (6, "participants")}
    await assert_import_refused(client, auth, context, "activities", street["id"], rows, errors, "activities")
    forbidden = await import_file(client, auth, "activities", street["id"], csv_file(rows[:2]), "a.csv", "jinan-case")
    assert forbidden.status_code == 403
