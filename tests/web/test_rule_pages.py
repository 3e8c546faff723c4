"""The rules page over HTTP: baseline beside the city's requirements, what-if by street name, save, delete."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import httpx
from litestar import Litestar

from tests.conftest import Auth, api_client, body
from tests.rulesets.helpers import GOOD
from tests.streetdata_fixtures import create_street, unique
from tests.web.helpers import csrf_of, error_beside, sign_in_form

CITY = "linyi"  # no other test sets Linyi's rules, and the year is one no assessment uses
YEAR = 2091


def _rule(cid: str, **changes: str) -> dict[str, str]:
    return {
        "id": cid,
        "titleZh": "街区特色须为退役军人",
        "titleEn": "The street's theme is veterans",
        "fact": "street_theme",
        "op": "in",
        "value": "veterans",
        "level": "required",
        "source": "临人社字〔2091〕1号 第二条",
        "effectiveFrom": str(YEAR),
        "action": "preview",
        **changes,
    }


async def _post(
    client: httpx.AsyncClient,
    path: str,
    data: Mapping[str, str | list[str]],
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    form = await client.get(f"/city/{CITY}/rules?year={YEAR}")
    assert form.status_code == 200, form.text[:500]
    return await client.post(path, data={**data, "_csrf_token": csrf_of(form.text)}, headers=headers)


async def test_a_requirement_is_previewed_by_street_name_saved_and_stopped(app: Litestar, auth: Auth) -> None:
    async with api_client(app) as api:
        graduates = await create_street(api, auth, CITY, theme="graduates")
        veterans = await create_street(api, auth, CITY, theme="veterans")
    cid = unique("theme_")
    async with api_client(app) as admin:
        await sign_in_form(admin, f"{CITY}-admin")
        rules = await admin.get(f"/city/{CITY}/rules?year={YEAR}")
        assert rules.status_code == 200
        assert "省级基本条件" in rules.text
        assert "鲁人社函〔2024〕49号 二(三)" in rules.text
        assert "本市尚未新增或收紧条件" in rules.text

        preview = await _post(admin, f"/city/{CITY}/rules", _rule(cid))
        assert preview.status_code == 200, preview.text[:2000]
        what_if = preview.text.split('id="what-if"')[1]
        assert graduates["name"] in what_if
        assert veterans["name"] not in what_if  # its theme meets the requirement: no change
        assert "尚未保存" in what_if
        assert cid not in (await admin.get(f"/city/{CITY}/rules?year={YEAR}")).text

        saved = await _post(admin, f"/city/{CITY}/rules", _rule(cid, action="save"))
        assert (saved.status_code, saved.headers["location"]) == (303, f"/city/{CITY}/rules?year={YEAR}#side-by-side")
        page = (await admin.get(saved.headers["location"])).text
        row = re.search(rf"<tr>\s*<td>[^<]*<small class=\"code\">{cid}</small>.*?</tr>", page, re.S)
        assert row is not None
        assert "—" in row.group(0)  # no baseline criterion: the city's own
        assert "临人社字〔2091〕1号 第二条" in row.group(0)
        assert "市级要求" in row.group(0)

        stopped = await _post(admin, f"/city/{CITY}/rules/{cid}/delete", {"year": str(YEAR)})
        assert stopped.status_code == 303
        assert cid not in (await admin.get(f"/city/{CITY}/rules?year={YEAR}")).text


async def test_loosening_the_baseline_is_refused_next_to_the_form_and_nothing_is_saved(app: Litestar) -> None:
    loose = _rule("entity_count", fact="entity_count", op=">=", value="50", titleZh="实体 50 家", titleEn="50")
    async with api_client(app) as admin:
        await sign_in_form(admin, f"{CITY}-admin")
        for action in ("preview", "save"):
            refused = await _post(admin, f"/city/{CITY}/rules", {**loose, "action": action})
            assert refused.status_code == 422
            notice = re.search(r'id="rule-error"><svg.*?</svg><span>([^<]+)</span>', refused.text, re.S)
            assert notice is not None
            assert "放宽省级基本条件 entity_count" in notice.group(1)
            assert 'value="50"' in refused.text  # the form keeps what was typed
        page = (await admin.get(f"/city/{CITY}/rules?year={YEAR}")).text
        assert "本市尚未新增或收紧条件" in page
        bad = await _post(admin, f"/city/{CITY}/rules", _rule("x", value="", fact="nothing"))
        assert bad.status_code == 422
        year = await _post(admin, f"/city/{CITY}/rules", _rule("y", effectiveFrom="明年"))
        assert year.status_code == 422
        assert error_beside(year.text, "f-effectiveFrom").startswith("生效年度须为 2000–2100 之间的年份")


async def test_rules_pages_are_the_city_admins_and_another_citys_answer_404(app: Litestar) -> None:
    async with api_client(app) as admin:
        await sign_in_form(admin, f"{CITY}-admin")
        assert (await admin.get("/city/qingdao/rules")).status_code == 404
        english = await admin.get(f"/city/{CITY}/rules?year={YEAR}&lang=en")
        assert english.status_code == 200
        assert "Province baseline and the city&#39;s requirements" in english.text
        assert "the number of entrepreneurial entities at least 100" in english.text
        posted = await _post(admin, "/city/qingdao/rules", _rule("q", action="save"))
        assert posted.status_code == 404
    async with api_client(app) as caseworker:
        await sign_in_form(caseworker, f"{CITY}-case")
        assert (await caseworker.get(f"/city/{CITY}/rules")).status_code == 403


async def test_whom_a_requirement_applies_to_is_chosen_on_the_form_and_stored(app: Litestar, auth: Auth) -> None:
    cid = unique("night_")
    scoped = _rule(
        cid,
        fact="activities",
        op=">=",
        value="20",
        titleZh="产业链街区每年至少 20 场夜市活动",
        titleEn="At least 20 night-market activities",
        action="save",
    )
    chosen: dict[str, str | list[str]] = {
        "themes[]": ["industry_chain", "culture_tourism"],
        "districts": "371302，371311",
        "statuses[]": ["pilot"],
    }
    async with api_client(app) as admin:
        await sign_in_form(admin, f"{CITY}-admin")
        form = (await admin.get(f"/city/{CITY}/rules?year={YEAR}")).text
        assert 'name="themes[]" value="industry_chain"' in form
        assert 'name="statuses[]" value="pilot"' in form

        saved = await _post(admin, f"/city/{CITY}/rules", {**scoped, **chosen})
        assert saved.status_code == 303, saved.text[:2000]
        page = (await admin.get(saved.headers["location"])).text
        row = re.search(rf"<tr>\s*<td>[^<]*<small class=\"code\">{cid}</small>.*?</tr>", page, re.S)
        assert row is not None
        assert "仅适用于" in row.group(0)
        async with api_client(app) as api:
            ruleset = body(
                await api.get(
                    f"/api/tenants/{CITY}/rules", params={"year": YEAR}, headers=await auth.headers(f"{CITY}-admin")
                )
            )
        stored = next(c for c in ruleset["criteria"] if c["id"] == cid)
        assert stored["appliesTo"] == {
            "themes": ["industry_chain", "culture_tourism"],
            "districts": ["371302", "371311"],
            "statuses": ["pilot"],
        }

        # A scope code the rules model refuses comes back beside the form, with the ticked boxes kept.
        refused = await _post(admin, f"/city/{CITY}/rules", {**scoped, "id": cid + "_b", **chosen, "districts": "37"})
        assert refused.status_code == 422
        assert "appliesTo.districts" in refused.text
        assert re.search(r'value="culture_tourism" checked', refused.text)

        assert (await _post(admin, f"/city/{CITY}/rules/{cid}/delete", {"year": str(YEAR)})).status_code == 303


async def test_the_run_button_shows_a_failing_case_by_name(app: Litestar, auth: Auth) -> None:
    cases = f"/api/tenants/{CITY}/rules/cases"
    headers = await auth.headers(f"{CITY}-admin")
    facts = {**GOOD, "center_staff": 1}
    failing: dict[str, Any] = {
        "name": "一名工作人员也通过（错误的预期）",
        "year": YEAR,
        "facts": facts,
        "expected": {"outcome": "pass"},
    }
    passing: dict[str, Any] = {
        "name": "一名工作人员不达标",
        "year": YEAR,
        "facts": facts,
        "expected": {"outcome": "fail", "criteria": {"center_staff": "fail"}},
    }
    async with api_client(app) as api:
        for case in (failing, passing):
            stored = await api.post(cases, json=case, headers=headers)
            assert stored.status_code == 201, stored.text
    try:
        async with api_client(app) as admin:
            await sign_in_form(admin, f"{CITY}-admin")
            page = (await admin.get(f"/city/{CITY}/rules?year={YEAR}")).text
            listed = page.split('id="rule-cases"')[1]
            assert failing["name"] in listed
            assert "运行" in listed

            partial = await _post(admin, f"/city/{CITY}/rules/cases/run", {}, headers={"HX-Request": "true"})
            assert partial.status_code == 200, partial.text[:2000]
            assert "<html" not in partial.text  # only the results, for htmx to swap in
            row = re.search(rf"<tr class=\"case-failed\">\s*<td>{failing['name']}</td>.*?</tr>", partial.text, re.S)
            assert row is not None, partial.text
            assert "未通过" in row.group(0)
            assert "center_staff" in row.group(0)
            assert "预期“达标”，实际“未达标”" in row.group(0)
            assert re.search(rf"<tr class=\"case-passed\">\s*<td>{passing['name']}</td>", partial.text)

            whole = await _post(admin, f"/city/{CITY}/rules/cases/run", {})  # without JavaScript: the page
            assert whole.status_code == 200
            assert "<html" in whole.text
            assert "已运行 2 个用例：1 个通过，1 个未通过" in whole.text

            # Saving a requirement runs the cases first: one failing refuses it beside the form, by name.
            staff = _rule("center_staff", fact="center_staff", op=">=", value="3", action="save")
            refused = await _post(admin, f"/city/{CITY}/rules", staff)
            assert refused.status_code == 422
            notice = re.search(r'id="rule-error"><svg.*?</svg><span>([^<]+)</span>', refused.text, re.S)
            assert notice is not None
            assert "本市测试用例未通过" in notice.group(1)
            assert failing["name"] in notice.group(1)
            assert "本市尚未新增或收紧条件" in refused.text
    finally:
        async with api_client(app) as api:
            for case in (failing, passing):
                assert (await api.delete(f"{cases}/{case['name']}", headers=headers)).status_code == 204
