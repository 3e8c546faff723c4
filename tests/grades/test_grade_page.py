"""The street's assessment tab shows its yearly grades in Chinese (English on request), from the same service."""

from __future__ import annotations

import httpx

from services.context import AppContext
from tests.conftest import Auth
from tests.rulesets.helpers import FAR, assess_directly, make_street, stored_assessment


async def test_the_assessment_tab_shows_the_grade_of_each_year(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    street = await make_street(context, "binzhou", staff=3, entities=120)
    first = await stored_assessment(context, "binzhou", await assess_directly(context, "binzhou", street, FAR))
    second = await stored_assessment(context, "binzhou", await assess_directly(context, "binzhou", street, FAR + 1))
    admin = await auth.headers("binzhou-admin")

    html = (await client.get(f"/city/binzhou/streets/{street}/assessments", headers=admin)).text
    english = (await client.get(f"/city/binzhou/streets/{street}/assessments?lang=en", headers=admin)).text
    other = await client.get(f"/city/dezhou/streets/{street}/assessments", headers=await auth.headers("dezhou-admin"))

    assert "年度等级（每年以最近一次未作废的评估为准）" in html
    labels = {"A": "优秀", "B": "良好", "C": "合格", "D": "不合格"}
    for row in (first, second):
        assert row.grade is not None
        assert row.score is not None
        assert f'<td>{row.year}</td><td class="value">{row.score:.1f}</td>' in html
        assert labels[row.grade] in html
    assert html.index(f'<td>{FAR + 1}</td><td class="value">') < html.index(f'<td>{FAR}</td><td class="value">')
    assert "Yearly grades" in english
    assert other.status_code == 404
