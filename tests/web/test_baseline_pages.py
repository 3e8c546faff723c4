"""The province baseline's editor over HTTP, over a database of its own (a baseline judges every city): the
criteria with their clauses, a threshold's preview counted per city against what the seeded data says, the
streets by name, bad input refused with nothing written, publishing through the audited path; a city, the
province's viewer and another province are refused."""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

import httpx
import pytest

from infra.db import owner_transaction
from infra.settings import Settings
from services.app import create_app
from services.context import AppContext
from services.models import LedgerEntry
from tenants.calendar import today
from tenants.context import Role
from tests.conftest import ANOTHER_PROVINCE, Auth, api_client, own_context
from tests.streetdata_fixtures import new_uscc, operating_entity
from tests.web.helpers import csrf_of, error_beside, sign_in_form
from tests.workflows.cycle_fixtures import CycleData, Made

USERS: list[tuple[str, str, Role]] = [
    ("province", "shandong", Role.PROVINCE_ADMIN),
    ("province-viewer", "shandong", Role.VIEWER),
    ("jinan-admin", "jinan", Role.CITY_ADMIN),
    ("jiangsu-admin", "jiangsu", Role.PROVINCE_ADMIN),
]
YEAR = today().year
"""The year the streets' data is for: no assessment uses it in this database, so it can be published."""
PATH = f"/province/shandong/baseline/{YEAR}"
_serials = itertools.count(1)


@dataclass(frozen=True)
class Seeded:
    context: AppContext
    streets: dict[str, Made]
    """By name: every street meets every baseline criterion but the ones its entities and activities decide."""


async def grow(context: AppContext, street: Made, extra: int) -> None:
    """`extra` more classified entities with their ledger records (so only the entity count moves)."""
    async with owner_transaction(context.sessions) as session:
        entities = [
            operating_entity(
                street.tenant,
                street.id,
                f"{street.name}新增实体{next(_serials)}",
                new_uscc(),
                date(YEAR - 1, 6, 1),
                employees=2,
                entity_class="growth",
            )
            for _ in range(extra)
        ]
        session.add_all(entities)
        await session.flush()
        session.add_all(
            LedgerEntry(
                tenant_id=street.tenant,
                street_id=street.id,
                entity_id=e.id,
                need="policy",
                opened_on=date(YEAR - 1, 7, 1),
            )
            for e in entities
            if e.id is not None
        )


@pytest.fixture(scope="module")
async def seeded(server_url: str, settings: Settings) -> AsyncIterator[Seeded]:
    async with own_context(server_url, settings, USERS, ANOTHER_PROVINCE) as context:
        data = CycleData(context, YEAR)
        made = {
            "趵突泉青创街区": (await data.street("jinan", "趵突泉青创街区"), 0),
            "大明湖电商街区": (await data.street("jinan", "大明湖电商街区"), 10),
            "芙蓉街美食街区": (await data.street("jinan", "芙蓉街美食街区"), 30),
            "宽厚里夜市街区": (await data.street("jinan", "宽厚里夜市街区"), 0),
            "八大关文创街区": (await data.street("qingdao", "八大关文创街区"), 0),
            "台东步行街区": (await data.street("qingdao", "台东步行街区"), 25),
            "新街口创业街区": (await data.street("nanjing", "新街口创业街区"), 0),
        }
        for street, extra in made.values():
            await grow(context, street, extra)
        await data.too_few_activities(made["宽厚里夜市街区"][0])
        yield Seeded(context, {name: street for name, (street, _) in made.items()})


async def _counts(seeded: Seeded) -> dict[int, tuple[int, int]]:
    """(entities, activities of the year) of each seeded street, read from the database."""
    data = CycleData(seeded.context, YEAR)
    rows = await data.rows(
        "SELECT s.id, (SELECT count(*) FROM entities e WHERE e.tenant_id = s.tenant_id AND e.street_id = s.id),"
        " (SELECT count(*) FROM activities a WHERE a.tenant_id = s.tenant_id AND a.street_id = s.id"
        "  AND a.held_on BETWEEN :start AND :end) FROM streets s",
        start=date(YEAR, 1, 1),
        end=date(YEAR, 12, 31),
    )
    return {row[0]: (row[1], row[2]) for row in rows}


def _expected(
    seeded: Seeded, counts: dict[int, tuple[int, int]], before: tuple[int, int], after: tuple[int, int]
) -> dict[str, tuple[int, int, set[str]]]:
    """Per Shandong city: (pass→not pass, not pass→pass, the streets whose outcome moves), with the entity and
    activity thresholds `before` and `after` (every other criterion passes by construction)."""

    def passes(street: Made, thresholds: tuple[int, int]) -> bool:
        entities, activities = counts[street.id]
        return entities >= thresholds[0] and activities >= thresholds[1]

    expected: dict[str, tuple[int, int, set[str]]] = {}
    for street in seeded.streets.values():
        if street.tenant == "nanjing":
            continue
        lost, gained, moved = expected.get(street.tenant, (0, 0, set()))
        was, now = passes(street, before), passes(street, after)
        expected[street.tenant] = (
            lost + (was and not now),
            gained + (now and not was),
            moved | ({street.name} if was != now else set()),
        )
    return expected


async def _post(client: httpx.AsyncClient, **form: str) -> httpx.Response:
    token = csrf_of((await client.get(PATH)).text)
    return await client.post(PATH, data={"_csrf_token": token, **form})


def _preview_row(html: str, city: str) -> tuple[int, int, set[str]]:
    row = re.search(rf'<tr id="preview-{city}">(.*?)</tr>', html, re.S)
    assert row is not None, html[:3000]
    lost = re.search(r'class="num to-fail">(\d+)<', row.group(1))
    gained = re.search(r'class="num to-pass">(\d+)<', row.group(1))
    assert lost is not None
    assert gained is not None
    names = set(re.findall(r'<a href="/city/\w+/streets/\d+">([^<]+)</a>', row.group(1)))
    return int(lost.group(1)), int(gained.group(1)), names


async def test_a_threshold_is_previewed_per_city_and_published(seeded: Seeded) -> None:
    app = create_app(seeded.context)
    counts = await _counts(seeded)
    async with api_client(app) as province:
        await sign_in_form(province, "province")
        page = await province.get(PATH)
        assert page.status_code == 200, page.text[:2000]
        assert "鲁人社函〔2024〕49号 二(三)" in page.text
        assert "系统内置" in page.text
        chosen = await province.get(f"{PATH}?criterion=entity_count")
        assert 'id="f-value" name="value" type="text" value="100"' in chosen.text

        stricter = await _post(province, criterion="entity_count", value="120", level="required", action="preview")
        assert stricter.status_code == 200, stricter.text[:3000]
        expected = _expected(seeded, counts, (100, 10), (120, 10))
        assert expected["jinan"][0] == 2
        assert expected["qingdao"][0] == 1
        for city, figures in expected.items():
            assert _preview_row(stricter.text, city) == figures
        assert "preview-nanjing" not in stricter.text  # another province's city is not judged
        assert "尚未发布" in stricter.text

        fewer = await _post(province, criterion="activities", value="5", level="required", action="preview")
        assert fewer.status_code == 200
        for city, figures in _expected(seeded, counts, (100, 10), (100, 5)).items():
            assert _preview_row(fewer.text, city) == figures
        assert _preview_row(fewer.text, "jinan")[1] == 1

        english = await province.get(f"{PATH}?lang=en")
        assert english.status_code == 200
        assert "The criteria and their clauses" in english.text
        dashboard = (await province.get("/province/shandong/dashboard?lang=zh")).text
        assert f'href="{PATH}"' in dashboard
        assert f"/province/shandong/cycles/{YEAR}/selection" in dashboard
        published = await _post(province, criterion="entity_count", value="120", level="required", action="publish")
        assert (published.status_code, published.headers["location"]) == (303, f"{PATH}?published=1")
        after = (await province.get(published.headers["location"])).text
        assert "已发布" in after
        assert "发布人 province" in after
    rules = await api_client(app).get(
        f"/api/tenants/jinan/rules?year={YEAR}", headers=await Auth(app).headers("jinan-admin")
    )
    entity_count = next(c for c in rules.json()["criteria"] if c["id"] == "entity_count")
    assert entity_count["value"] == 120
    assert [c["value"] for c in rules.json()["criteria"] if c["id"] == "activities"] == [10]  # a preview wrote nothing
    audit = await CycleData(seeded.context, YEAR).rows(
        "SELECT actor, object_id, after FROM audit_log WHERE tenant_id = 'shandong' AND action = 'baseline.publish'"
    )
    assert [(row.actor, row.object_id) for row in audit] == [("province", str(YEAR))]
    assert next(c for c in audit[0].after["criteria"] if c["id"] == "entity_count")["value"] == 120


async def test_bad_input_is_refused_beside_its_field_and_nothing_is_written(seeded: Seeded) -> None:
    app = create_app(seeded.context)
    data = CycleData(seeded.context, YEAR)
    published_before = await data.scalar("SELECT count(*) FROM baselines")
    async with api_client(app) as province:
        await sign_in_form(province, "province")
        for action in ("preview", "publish"):
            word = await _post(province, criterion="entity_count", value="一百", level="required", action=action)
            assert word.status_code == 422
            assert error_beside(word.text, "f-value").startswith("门槛须为数字")
            assert 'value="一百"' in word.text  # the form keeps what was typed
            unknown = await _post(province, criterion="no_such", value="1", level="required", action=action)
            assert unknown.status_code == 422
            assert "没有条件“no_such”" in error_beside(unknown.text, "f-criterion")
            level = await _post(province, criterion="entity_count", value="", level="optional", action=action)
            assert level.status_code == 422
            assert "请选择类别" in error_beside(level.text, "f-level")
            flag = await _post(province, criterion="center_fixed_site", value="2", level="required", action=action)
            assert flag.status_code == 422
            assert "不是数值门槛" in error_beside(flag.text, "f-value")
            loose = await _post(province, criterion="satisfaction", value="150%", level="required", action=action)
            assert loose.status_code == 422
            assert "satisfaction" in loose.text
    assert await data.scalar("SELECT count(*) FROM baselines") == published_before
    assert await data.scalar("SELECT count(*) FROM audit_log WHERE action = 'baseline.publish'") == len(
        await data.rows("SELECT 1 FROM baselines")
    )


async def test_only_the_province_admin_edits_and_others_see_nothing(seeded: Seeded) -> None:
    app = create_app(seeded.context)
    async with api_client(app) as viewer, api_client(app) as city, api_client(app) as jiangsu:
        await sign_in_form(viewer, "province-viewer")
        read = await viewer.get(PATH)
        assert read.status_code == 200
        assert "预览" not in read.text
        assert "entity_count" in read.text
        token = csrf_of(read.text)
        form = {"_csrf_token": token, "criterion": "entity_count", "value": "90", "level": "required"}
        assert (await viewer.post(PATH, data=form)).status_code == 403
        await sign_in_form(city, "jinan-admin")
        assert (await city.get(PATH)).status_code == 403
        city_form = {**form, "_csrf_token": csrf_of((await city.get("/city/jinan")).text)}
        assert (await city.post(PATH, data=city_form)).status_code == 403
        await sign_in_form(jiangsu, "jiangsu-admin")
        missing = await jiangsu.get(PATH)
        assert missing.status_code == 404
        assert "页面不存在或无权访问" in missing.text
        own = await jiangsu.get(f"/province/jiangsu/baseline/{YEAR}")
        assert own.status_code == 200
        jiangsu_form = {**form, "_csrf_token": csrf_of(own.text), "action": "preview"}
        assert (await jiangsu.post(PATH, data=jiangsu_form)).status_code == 404
        assert (await jiangsu.get(f"/province/jinan/baseline/{YEAR}")).status_code == 404


async def test_the_api_previews_a_baseline_per_city_as_the_page_does(seeded: Seeded) -> None:
    """``POST /api/province/{p}/baselines/{year}/simulate``: the same preview as JSON; nothing is stored, and only
    the province's admin may ask (its viewer 403, a city 403, another province 404)."""
    app = create_app(seeded.context)
    auth, data = Auth(app), CycleData(seeded.context, YEAR)
    path = f"/api/province/shandong/baselines/{YEAR}/simulate"
    async with api_client(app) as client:
        province = await auth.headers("province")
        criteria = (await client.get(f"/api/province/shandong/baselines/{YEAR}", headers=province)).json()["criteria"]
        # Relative to the baseline in force, whichever an earlier test of this module published.
        now = {c["id"]: c["value"] for c in criteria}
        before, after = (now["entity_count"], now["activities"]), (now["entity_count"] + 20, now["activities"])
        proposal = {"criteria": [{**c, "value": after[0]} if c["id"] == "entity_count" else c for c in criteria]}
        stored_before = await data.scalar("SELECT count(*) FROM baselines")
        answer = await client.post(path, json=proposal, headers=await auth.headers("province"))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["hashBefore"] != body["hashAfter"]
        by_city = {city["tenant"]: city for city in body["cities"]}
        assert "nanjing" not in by_city
        for city, (lost, gained, moved) in _expected(seeded, await _counts(seeded), before, after).items():
            figures = by_city[city]
            assert (figures["toFail"], figures["toPass"]) == (lost, gained)
            assert {c["streetName"] for c in figures["changes"] if c["before"] != c["after"]} == moved
            regraded = [c for c in figures["changes"] if c["gradeBefore"] != c["gradeAfter"]]
            assert figures["gradeChanges"] == len(regraded)
            for change in figures["changes"]:
                # Graded by the year's scheme; a street listed with its outcome unchanged is one whose grade moves.
                assert {change["gradeBefore"], change["gradeAfter"]} <= {"A", "B", "C", "D"}
                assert change["before"] != change["after"] or change in regraded
                if change["after"] == "fail":  # a required criterion failed: at most C
                    assert change["gradeAfter"] in ("C", "D")
        assert await data.scalar("SELECT count(*) FROM baselines") == stored_before

        bad = {"criteria": [{**c, "value": "一百"} if c["id"] == "entity_count" else c for c in criteria]}
        refused = await client.post(path, json=bad, headers=await auth.headers("province"))
        assert refused.status_code == 422
        assert "entity_count" in refused.json()["detail"]
        for user, status in (("province-viewer", 403), ("jinan-admin", 403), ("jiangsu-admin", 404)):
            other = await client.post(path, json=proposal, headers=await auth.headers(user))
            assert other.status_code == status, (user, other.text)
