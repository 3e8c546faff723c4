"""The report counts each city's streets by yearly grade (年度等级), each street by its latest assessment of the year
not voided: in the JSON, the workbook's 总览 sheet and the CSV, as the test set the grades."""

from __future__ import annotations

from typing import Any

import httpx

from services.context import AppContext
from tests.conftest import Auth
from tests.province_report.conftest import exported
from tests.rulesets.helpers import YEAR, assess_directly, make_street
from tests.streetdata_fixtures import count

HEADERS = {
    "A": "年度等级 优秀（A）",
    "B": "年度等级 良好（B）",
    "C": "年度等级 合格（C）",
    "D": "年度等级 不合格（D）",
}


async def snapshot(client: httpx.AsyncClient, auth: Auth) -> dict[str, dict[str, int]]:
    """Liaocheng's and the totals' grade counts, from the JSON, the workbook and the CSV (each must agree)."""
    headers = await auth.headers("province")
    path = f"/api/province/shandong/reports/{YEAR}"
    report = (await client.get(path, headers=headers)).json()
    [city] = [c for c in report["cities"] if c["tenant"] == "liaocheng"]
    found: dict[str, dict[str, int]] = {"liaocheng": city["grades"], "totals": report["totals"]["grades"]}
    found.update(await exported(client, path, headers, "总览", "聊城市", HEADERS))
    return found


async def graded(context: AppContext, street: int, grade: str, *, year: int = YEAR) -> int:
    """An assessment of the Liaocheng street, its grade set to `grade`; its id."""
    assessment = await assess_directly(context, "liaocheng", street, year)
    await count(
        context,
        "UPDATE assessments SET grade = :grade WHERE tenant_id = 'liaocheng' AND id = :id RETURNING 1",
        grade=grade,
        id=assessment,
    )
    return assessment


async def test_each_city_counts_its_streets_by_the_grade_of_their_latest_assessment(
    auth: Auth, client: httpx.AsyncClient, context: AppContext
) -> None:
    before = await snapshot(client, auth)
    assert before["liaocheng"] == before["xlsx"] == before["csv"]
    first, second, third, fourth = [await make_street(context, "liaocheng") for _ in range(4)]
    await graded(context, first, "D")
    await graded(context, first, "A")  # the latest counts: A, not D
    await graded(context, second, "B")
    await graded(context, third, "D")
    voided = await graded(context, third, "C")
    response = await client.post(
        f"/api/tenants/liaocheng/streets/{third}/assessments/{voided}/void",
        json={"reason": "录入有误"},
        headers=await auth.headers("liaocheng-admin"),
    )
    assert response.status_code == 200, response.text  # a voided assessment counts nowhere: D
    await graded(context, fourth, "A", year=YEAR - 1)  # another year's

    after = await snapshot(client, auth)

    added = {"A": 1, "B": 1, "C": 0, "D": 1}
    for where in ("liaocheng", "totals", "xlsx", "csv"):
        assert after[where] == {g: before[where][g] + added[g] for g in "ABCD"}, where


async def test_a_city_without_graded_streets_counts_zeros(auth: Auth, client: httpx.AsyncClient) -> None:
    report: dict[str, Any] = (
        await client.get("/api/province/shandong/reports/2000", headers=await auth.headers("province"))
    ).json()

    assert {tuple(c["grades"].values()) for c in report["cities"]} == {(0, 0, 0, 0)}
    assert report["totals"]["grades"] == {"A": 0, "B": 0, "C": 0, "D": 0}
