"""Monthly reports: one per street and month, corrections by PUT, no future months, roles, other tenants."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from services.context import AppContext
from tenants.calendar import today
from tests.conftest import Auth
from tests.streetdata_fixtures import (
    READ_ONLY_USERS,
    StreetUser,
    assert_refused_on_a_new_street,
    assert_street_scoped_rules,
    audit_rows,
    create_street,
    resource_path,
    statuses,
)

path = resource_path("reports")
INTERNS = {"month": "2025-03", "jobsDriven": 1, "internshipPositions": 2}


def next_month() -> str:
    first = today().replace(day=1)
    return (first + dt.timedelta(days=32)).strftime("%Y-%m")


async def test_submit_list_and_correct_reports(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    headers = await auth.headers("jinan-admin")
    response = await client.post(
        path(street["id"]), json={"month": "2025-03", "jobsDriven": 240, "internshipPositions": 6}, headers=headers
    )
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["month"] == "2025-03"
    assert report["jobsDriven"] == 240
    assert report["notes"] == ""
    assert report["submittedBy"] == "jinan-admin"
    this_month = today().strftime("%Y-%m")  # the month in progress may be reported
    assert (
        await client.post(path(street["id"]), json={"month": this_month, "jobsDriven": 10}, headers=headers)
    ).status_code == 201
    assert (
        await client.post(
            path(street["id"]), json={"month": "2024-12", "jobsDriven": 180, "notes": "年末"}, headers=headers
        )
    ).status_code == 201
    listed = (await client.get(path(street["id"]), headers=await auth.headers("jinan-viewer"))).json()
    assert [r["month"] for r in listed] == sorted({"2024-12", "2025-03", this_month})
    in_2024 = (await client.get(path(street["id"]), params={"year": 2024}, headers=headers)).json()
    assert [r["notes"] for r in in_2024] == ["年末"]
    corrected = await client.put(
        f"{path(street['id'])}/2025-03", json={"jobsDriven": 250, "notes": "更正"}, headers=headers
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["jobsDriven"] == 250
    assert corrected.json()["internshipPositions"] == 0
    [row] = await audit_rows(client, auth, "jinan", "report.replace", f"{street['id']}:2025-03")
    assert row["before"]["jobsDriven"] == 240
    assert row["after"]["jobsDriven"] == 250
    assert len(await audit_rows(client, auth, "jinan", "report.create", f"{street['id']}:2025-03")) == 1


async def test_interns_taken_on_are_reported_within_the_positions(auth: Auth, client: httpx.AsyncClient) -> None:
    """招用: who the month's internship positions took on, graduates and other youth, at most one per position."""
    street = await create_street(client, auth)
    headers = await auth.headers("jinan-admin")
    body = {
        "month": "2025-04",
        "jobsDriven": 20,
        "internshipPositions": 5,
        "internsGraduates": 3,
        "internsOtherYouth": 2,
    }
    created = await client.post(path(street["id"]), json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert {k: created.json()[k] for k in body} == body
    too_many = await client.put(
        f"{path(street['id'])}/2025-04",
        json={"jobsDriven": 20, "internshipPositions": 4, "internsGraduates": 3, "internsOtherYouth": 2},
        headers=headers,
    )
    assert too_many.status_code == 422
    assert "internshipPositions" in too_many.json()["detail"]
    [kept] = (await client.get(path(street["id"]), headers=headers)).json()
    assert (kept["internsGraduates"], kept["internsOtherYouth"]) == (3, 2)
    old = await client.post(path(street["id"]), json={"month": "2025-01", "jobsDriven": 1}, headers=headers)
    assert (old.json()["internsGraduates"], old.json()["internsOtherYouth"]) == (0, 0)


async def test_a_second_report_for_the_month_is_409_and_keeps_the_first(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    headers = await auth.headers("jinan-admin")
    assert (
        await client.post(path(street["id"]), json={"month": "2025-01", "jobsDriven": 100}, headers=headers)
    ).status_code == 201
    again = await client.post(path(street["id"]), json={"month": "2025-01", "jobsDriven": 999}, headers=headers)
    assert again.status_code == 409
    assert "PUT" in again.json()["detail"]
    assert [r["jobsDriven"] for r in (await client.get(path(street["id"]), headers=headers)).json()] == [100]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"month": "2025-13", "jobsDriven": 1}, 400, "month"),
        ({"month": "2025-3", "jobsDriven": 1}, 400, "month"),
        ({"month": "2025-03", "jobsDriven": -1}, 400, "jobsDriven"),
        ({"month": "2025-03"}, 400, "jobsDriven"),
        ({"month": "2025-03", "jobsDriven": 1, "internshipPositions": -2}, 400, "internshipPositions"),
        ({"month": "2025-03", "jobsDriven": 1, "visitors": 5}, 400, "visitors"),
        ({"month": next_month(), "jobsDriven": 1}, 422, "month"),
        ({"month": "0000-01", "jobsDriven": 1}, 400, "month"),
        (
            {"month": "2025-03", "jobsDriven": 1, "internshipPositions": 2, "internsGraduates": -1},
            400,
            "internsGraduates",
        ),
        (
            {
                "month": "2025-03",
                "jobsDriven": 1,
                "internshipPositions": 2,
                "internsGraduates": 2,
                "internsOtherYouth": 1,
            },
            422,
            "internsGraduates",
        ),
        ({"month": "2025-03", "jobsDriven": 1, "internsOtherYouth": 1}, 422, "internshipPositions"),
        ({"month": "1948-12", "jobsDriven": 1}, 400, "month"),
    ],
)
async def test_bad_reports_name_the_field_and_write_nothing(
    auth: Auth, client: httpx.AsyncClient, context: AppContext, body: dict[str, object], status: int, field: str
) -> None:
    await assert_refused_on_a_new_street(client, auth, context, "reports", body, status, field, "monthly_reports")


async def test_correcting_needs_an_existing_past_month(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    headers = await auth.headers("jinan-admin")
    missing = await client.put(f"{path(street['id'])}/2025-02", json={"jobsDriven": 5}, headers=headers)
    assert missing.status_code == 404
    assert (
        await client.put(f"{path(street['id'])}/2025-14", json={"jobsDriven": 5}, headers=headers)
    ).status_code == 400
    assert (
        await client.put(f"{path(street['id'])}/{next_month()}", json={"jobsDriven": 5}, headers=headers)
    ).status_code == 422
    assert (
        await client.put(f"{path(street['id'])}/0000-01", json={"jobsDriven": 5}, headers=headers)
    ).status_code == 400


async def test_report_roles_and_other_tenants(
    auth: Auth, client: httpx.AsyncClient, jinan_operator: StreetUser
) -> None:
    await assert_street_scoped_rules(
        client, auth, "reports", lambda: {"month": "2024-01", "jobsDriven": 3}, jinan_operator
    )
    street = await create_street(client, auth)
    report = await client.post(
        path(street["id"]), json={"month": "2024-01", "jobsDriven": 3}, headers=await auth.headers("jinan-admin")
    )
    assert report.status_code == 201
    correction = f"{path(street['id'])}/2024-01"
    users = [*READ_ONLY_USERS, "qingdao-admin", jinan_operator.username]
    assert await statuses(client, auth, users, "PUT", correction, {"jobsDriven": 4}) == {
        **dict.fromkeys(READ_ONLY_USERS, 403),
        "qingdao-admin": 404,
        jinan_operator.username: 404,
    }
