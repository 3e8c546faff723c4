"""``/cases``: anyone reads the published cases, in Chinese with their city and street; nothing unpublished or
internal is reachable there, and a case's Markdown cannot run anything."""

from __future__ import annotations

from typing import Any

import httpx

from tests.cases.test_cases_api import CASES, PROVINCE, case_body, png
from tests.conftest import Auth
from tests.streetdata_fixtures import create_street, unique

HOSTILE = (
    "## 做法\n\n<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n"
    "[点我](javascript:alert(1)) 与 [官网](https://hrss.shandong.gov.cn)"
)


async def case_in(
    client: httpx.AsyncClient, auth: Auth, street_id: int, status: str, **overrides: Any
) -> dict[str, Any]:
    """A Jinan case moved through the API to `status` (draft, submitted, accepted or published)."""
    admin = await auth.headers("jinan-admin")
    created = await client.post(CASES, json=case_body(street_id, **overrides), headers=admin)
    assert created.status_code == 201, created.text
    case: dict[str, Any] = created.json()
    path = f"{CASES}/{case['id']}"
    assert (await client.post(f"{path}/images", files={"file": ("p.png", png())}, headers=admin)).status_code == 201
    if status == "draft":
        return case
    assert (await client.post(f"{path}/submit", headers=admin)).status_code == 200
    if status == "submitted":
        return case
    assert (await client.post(f"{path}/review", json={"decision": "accept"}, headers=admin)).status_code == 200
    if status == "published":
        published = await client.post(f"{PROVINCE}/jinan/{case['id']}/publish", headers=await auth.headers("province"))
        assert published.status_code == 200, published.text
    return case


async def test_the_public_sees_only_published_cases_and_their_images(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    titles = {status: unique(f"案例{status}") for status in ("draft", "submitted", "accepted", "published")}
    cases = {s: await case_in(client, auth, street["id"], s, title=titles[s]) for s in titles}

    listing = await client.get("/cases")
    assert listing.status_code == 200
    assert 'lang="zh-CN"' in listing.text
    assert titles["published"] in listing.text
    assert "济南市" in listing.text
    assert street["name"] in listing.text
    assert f'href="/cases/{cases["published"]["id"]}"' in listing.text
    for hidden in ("draft", "submitted", "accepted"):
        assert titles[hidden] not in listing.text
        assert (await client.get(f"/cases/{cases[hidden]['id']}")).status_code == 404
        assert (await client.get(f"/cases/{cases[hidden]['id']}/images/1")).status_code == 404

    page = await client.get(f"/cases/{cases['published']['id']}")
    assert page.status_code == 200
    assert "1,200 人" in page.text
    assert "请补充" not in page.text  # nothing of the review
    image = await client.get(f"/cases/{cases['published']['id']}/images/1")
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert image.content == png()
    assert (await client.get(f"/cases/{cases['published']['id']}/images/2")).status_code == 404

    # Withdrawn, it is gone from the public side at once.
    province = await auth.headers("province")
    assert (await client.post(f"{PROVINCE}/jinan/{cases['published']['id']}/unpublish", headers=province)).is_success
    assert titles["published"] not in (await client.get("/cases")).text
    assert (await client.get(f"/cases/{cases['published']['id']}")).status_code == 404


async def test_markdown_with_script_is_rendered_inert(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    case = await case_in(client, auth, street["id"], "published", body=HOSTILE)
    page = await client.get(f"/cases/{case['id']}")
    assert page.status_code == 200
    assert "<h2>做法</h2>" in page.text
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert" in page.text
    assert "<img src=x" not in page.text
    assert 'href="javascript:' not in page.text
    assert '<a href="https://hrss.shandong.gov.cn">官网</a>' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


async def test_the_province_report_counts_each_citys_cases(auth: Auth, client: httpx.AsyncClient) -> None:
    report = "/api/province/shandong/reports/2025"
    province = await auth.headers("province")

    def jinan(answer: httpx.Response) -> dict[str, int]:
        assert answer.status_code == 200, answer.text
        [row] = [c for c in answer.json()["cities"] if c["tenant"] == "jinan"]
        counts: dict[str, int] = row["cases"]
        assert answer.json()["totals"]["cases"]["accepted"] >= counts["accepted"]
        return counts

    before = jinan(await client.get(report, headers=province))
    street = await create_street(client, auth)
    for status in ("draft", "submitted", "accepted", "published", "published"):
        await case_in(client, auth, street["id"], status)
    await case_in(client, auth, street["id"], "accepted", year=2024)
    after = jinan(await client.get(report, headers=province))
    assert after == {"accepted": before["accepted"] + 3, "published": before["published"] + 2}
