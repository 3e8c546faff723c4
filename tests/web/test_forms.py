"""The data forms over HTTP as a browser without JavaScript posts them: messages beside their fields, what was
typed kept, nothing saved on a refusal, POST/redirect/GET to the tab with a message; rights and other tenants."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import httpx
import pytest

from services.errors import ConflictError
from services.shared.checks import FieldProblem
from services.streetreports.schemas import MonthlyReportCreate
from services.streets.schemas import StreetCreate
from services.text import Text
from services.web.forms import (
    AT_LEAST,
    CHOICE,
    FORM_LEVEL,
    LONGEST,
    REQUIRED,
    WHOLE_NUMBER,
    FormError,
    convert,
    domain_problem,
    flat_values,
    nested,
)
from tests.conftest import Auth
from tests.streetdata_fixtures import (
    DISTRICTS,
    StreetUser,
    bad_check_digit,
    create_entity,
    create_street,
    new_uscc,
    unique,
)
from tests.web.helpers import csrf_of, error_beside, sign_in_form


def _street_form(name: str, uscc: str, **changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "name": name,
        "district": DISTRICTS["jinan"],
        "theme": "graduates",
        "operator.name": unique("济南泉城运营有限公司"),
        "operator.uscc": uscc,
        "operator.legalPerson": ["false", "true"],  # the hidden "false", then the ticked box
        "operator.cleanRecord": "false",
        "center.fixedSite": ["false", "true"],
        "center.address": "济南市历下区芙蓉街88号",
        "center.staff.0.name": "王晓涵",
        "center.staff.0.role": "创业指导师",
        "center.staff.0.fullTime": "true",
        "center.staff.1.name": "",
        "center.staff.1.role": "",
        "center.staff.2.name": "孔磊",
        "center.staff.2.role": "",
        "center.services[]": ["policy_consultation", "mentoring", "training"],
    }
    form.update(changes)
    return form


async def _post(client: httpx.AsyncClient, path: str, form: dict[str, Any]) -> httpx.Response:
    """Open the form's page (its CSRF token) and post ``form`` as the browser does."""
    opened = await client.get(path)
    assert opened.status_code == 200, opened.text[:300]
    return await client.post(path, data={**form, "_csrf_token": csrf_of(opened.text)})


# ------------------------------------------------------------------------------------------ one mechanism


def test_a_form_becomes_the_input_struct_with_blank_rows_left_out() -> None:
    values = flat_values(
        [
            (name, v)
            for name, value in _street_form("甲街区", "X").items()
            for v in ([value] if isinstance(value, str) else value)
        ]
        + [("_csrf_token", "t")]
    )
    assert "_csrf_token" not in values
    assert values["center.staff.1.name"] == "孔磊"  # the blank row is gone and the next one renumbered
    data = convert(values, StreetCreate)
    assert data.operator.legal_person is True
    assert data.operator.clean_record is False
    assert data.center.fixed_site is True
    assert [(m.name, m.full_time) for m in data.center.staff] == [("王晓涵", True), ("孔磊", False)]
    assert data.center.services == ["policy_consultation", "mentoring", "training"]
    assert nested({"theme": "", "name": " x "}) == {"name": " x "}  # an empty value is a value not given


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": "甲", "district": "370102", "operator.name": "乙"}, "operator.uscc", REQUIRED),
        (
            {"name": "x" * 201, "district": "370102", "operator.name": "乙", "operator.uscc": "1"},
            "name",
            LONGEST.format(n=200),
        ),
        (
            {
                "name": "甲",
                "district": "370102",
                "operator.name": "乙",
                "operator.uscc": "1",
                "center.services[]": ["mentoring", "nonsense"],
            },
            "center.services[]",
            CHOICE,
        ),
        (
            {
                "name": "甲",
                "district": "370102",
                "operator.name": "乙",
                "operator.uscc": "1",
                "center.staff.0.role": "师",
            },
            "center.staff.0.name",
            REQUIRED,
        ),
    ],
)
def test_a_form_that_does_not_fit_names_its_field(values: dict[str, Any], field: str, message: Text) -> None:
    with pytest.raises(FormError) as refused:
        convert(values, StreetCreate)
    assert refused.value.problems == {field: message}


def test_figures_that_are_no_whole_numbers_or_below_zero_are_named() -> None:
    with pytest.raises(FormError) as refused:
        convert({"month": "2025-03", "jobsDriven": "十二"}, MonthlyReportCreate)
    assert refused.value.problems == {"jobsDriven": WHOLE_NUMBER}
    with pytest.raises(FormError) as refused:
        convert({"month": "2025-03", "jobsDriven": "-1"}, MonthlyReportCreate)
    assert refused.value.problems == {"jobsDriven": AT_LEAST.format(n=0)}


def test_a_domain_refusal_lands_on_its_field_or_above_the_form() -> None:
    problem = FieldProblem("operator.uscc", "统一社会信用代码无效", "invalid USCC").error()
    assert domain_problem(problem, {"operator.uscc"}) == {"operator.uscc": Text("统一社会信用代码无效", "invalid USCC")}
    conflict = ConflictError("本市已有名为“甲”的街区 / the city already has a street named '甲'")
    assert domain_problem(conflict, {"name"}) == {
        FORM_LEVEL: Text("本市已有名为“甲”的街区", "the city already has a street named '甲'")
    }
    assert domain_problem(conflict, {"name"}, conflict="name") == {
        "name": Text("本市已有名为“甲”的街区", "the city already has a street named '甲'")
    }


# ------------------------------------------------------------------------------------ the city admin's street


async def test_a_street_with_a_wrong_uscc_is_refused_beside_the_field_kept_and_not_saved(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    await sign_in_form(client, "jinan-admin")
    name = unique("宽厚里创业街区")
    good = new_uscc(DISTRICTS["jinan"])
    refused = await _post(client, "/city/jinan/streets/new", _street_form(name, bad_check_digit(good)))
    assert refused.status_code == 422
    assert "第 18 位校验码错误" in error_beside(refused.text, "f-operator-uscc")
    assert f'value="{name}"' in refused.text  # what was typed is kept
    assert f'value="{bad_check_digit(good)}"' in refused.text
    assert 'value="孔磊"' in refused.text
    assert re.search(r'value="mentoring" checked', refused.text)
    assert "表单有误" in refused.text
    listed = await client.get("/api/tenants/jinan/streets", headers=await auth.headers("jinan-admin"))
    assert name not in listed.text

    english = await _post(client, "/city/jinan/streets/new?lang=en", _street_form(name, bad_check_digit(good)))
    assert "check character mismatch at position 18" in error_beside(english.text, "f-operator-uscc")

    saved = await _post(client, "/city/jinan/streets/new?lang=zh", _street_form(name, good))
    assert saved.status_code == 303
    target = saved.headers["location"]
    assert re.fullmatch(r"/city/jinan/streets/\d+\?saved=street", target)
    street = await client.get(target)
    assert "街区已保存。" in street.text
    assert name in street.text
    assert "孔磊" in street.text
    stored = (
        await client.get(
            "/api/tenants/jinan/streets/" + target.split("/")[-1].split("?")[0],
            headers=await auth.headers("jinan-admin"),
        )
    ).json()
    assert [m["name"] for m in stored["center"]["staff"]] == ["王晓涵", "孔磊"]
    assert stored["operator"]["legalPerson"] is True
    assert stored["operator"]["cleanRecord"] is False


async def test_an_edit_refused_by_the_domain_writes_nothing_of_it(client: httpx.AsyncClient, auth: Auth) -> None:
    street = await create_street(client, auth)
    await sign_in_form(client, "jinan-admin")
    path = f"/city/jinan/streets/{street['id']}/edit"
    opened = await client.get(path)
    assert f'value="{street["name"]}"' in opened.text  # the form opens with what is stored
    assert f'value="{street["operator"]["uscc"]}"' in opened.text
    renamed = unique("新名字街区")
    # The service renames before it checks the district: the savepoint takes the new name back.
    form = _street_form(renamed, street["operator"]["uscc"], district="370202")
    refused = await client.post(path, data={**form, "_csrf_token": csrf_of(opened.text)})
    assert refused.status_code == 422
    assert "不是济南市的区县" in error_beside(refused.text, "f-district")
    stored = await client.get(f"/api/tenants/jinan/streets/{street['id']}", headers=await auth.headers("jinan-admin"))
    assert stored.json()["name"] == street["name"]

    form = _street_form(
        renamed,
        street["operator"]["uscc"],
        **{"center.services[]": ["training"], "theme": ""},
    )
    saved = await client.post(path, data={**form, "_csrf_token": csrf_of(opened.text)})
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/city/jinan/streets/{street['id']}?saved=street"
    stored = await client.get(f"/api/tenants/jinan/streets/{street['id']}", headers=await auth.headers("jinan-admin"))
    assert stored.json()["name"] == renamed
    assert stored.json()["center"]["services"] == ["training"]
    assert stored.json()["theme"] is None  # emptied on the edit form: no theme any more
    assert 'name="replicablePractices"' not in opened.text  # counted from the accepted typical cases
    assert stored.json()["operator"]["digitalPlatformUrl"] == street["operator"]["digitalPlatformUrl"]


async def test_the_inline_checks_answer_the_fields_message(client: httpx.AsyncClient) -> None:
    await sign_in_form(client, "jinan-admin")
    good = new_uscc()
    wrong = await client.get("/city/jinan/checks/uscc", params={"operator.uscc": bad_check_digit(good)})
    assert wrong.status_code == 200
    assert 'id="f-operator-uscc-check"' in wrong.text
    assert "第 18 位校验码错误" in wrong.text
    right = await client.get("/city/jinan/checks/uscc", params={"uscc": good.lower()})
    assert 'id="f-uscc-check"' in right.text
    assert "校验通过" in right.text
    assert "不是本市" not in (await client.get("/city/jinan/checks/district", params={"district": "370102"})).text
    other = await client.get("/city/jinan/checks/district", params={"district": "370202"})
    assert "请从列表中选择本市的区县" in other.text
    assert (await client.get("/city/qingdao/checks/uscc", params={"uscc": good})).status_code == 404


# ------------------------------------------------------------------------------------- a street's data forms


async def test_the_operator_submits_a_monthly_report_and_sees_it_in_the_reports_tab(
    client: httpx.AsyncClient, jinan_operator: StreetUser
) -> None:
    await sign_in_form(client, jinan_operator.username)
    path = f"/city/jinan/streets/{jinan_operator.street_id}/new/report"
    opened = await client.get(path)
    assert "当月新带动就业的人数" in opened.text  # the figure's definition is its hint
    assert 'type="month"' in opened.text
    month = "2024-0" + str(1 + int(jinan_operator.street_id) % 9)
    wrong = await client.post(path, data={"month": month, "jobsDriven": "十二", "_csrf_token": csrf_of(opened.text)})
    assert wrong.status_code == 422
    assert error_beside(wrong.text, "f-jobsDriven") == "请输入整数。"
    assert 'value="十二"' in wrong.text

    form = {
        "month": month,
        "jobsDriven": "1234",
        "internshipPositions": "3",
        "internsGraduates": "3",
        "internsOtherYouth": "1",
        "notes": "",
        "_csrf_token": csrf_of(opened.text),
    }
    too_many = await client.post(path, data=form)
    assert too_many.status_code == 422
    assert "不能多于本月见习岗位数" in error_beside(too_many.text, "f-internsGraduates")
    form["internsOtherYouth"] = "0"
    saved = await client.post(path, data=form)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/city/jinan/streets/{jinan_operator.street_id}/reports?saved=report"
    tab = await client.get(saved.headers["location"])
    assert "月报已提交。" in tab.text
    assert month in tab.text
    assert "1,234" in tab.text
    assert "招用：高校毕业生" in tab.text

    again = await client.post(path, data=form)
    assert again.status_code == 422
    assert "月报已提交，如需更正" in error_beside(again.text, "f-month")  # the conflict is the month's
    tab = await client.get(f"/city/jinan/streets/{jinan_operator.street_id}/reports")
    assert tab.text.count(f"<td>{month}</td>") == 1


async def test_the_operator_records_an_activity_a_survey_answer_a_position_and_an_entity(
    client: httpx.AsyncClient, auth: Auth, jinan_operator: StreetUser
) -> None:
    street = jinan_operator.street_id
    entity = await create_entity(client, auth, street)
    await sign_in_form(client, jinan_operator.username)
    base = f"/city/jinan/streets/{street}"
    title = unique("创业沙龙")
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    future = await _post(client, f"{base}/new/activity", {"kind": "salon", "title": title, "heldOn": tomorrow})
    assert future.status_code == 422
    assert "不能晚于今天" in error_beside(future.text, "f-heldOn")
    cases = [
        (
            "activity",
            {"kind": "salon", "title": title, "heldOn": "2026-03-15", "participants": "45"},
            "activities",
            title,
        ),
        ("survey", {"respondedOn": "2026-04-01", "rating": "5"}, "surveys", "活动"),
        (
            "internship",
            {"title": "直播电商见习", "entityId": str(entity["id"]), "openedOn": "2026-03-01", "closedOn": ""},
            "internships",
            "直播电商见习",
        ),
    ]
    for kind, form, tab, seen in cases:
        saved = await _post(client, f"{base}/new/{kind}", form)
        assert saved.status_code == 303, saved.text[:500]
        assert saved.headers["location"] == f"{base}/{tab}?saved={kind}"
        assert seen in (await client.get(saved.headers["location"])).text
    surveys = await client.get(f"{base}/surveys")
    assert re.search(r"<dt>答卷数</dt><dd>[1-9]", surveys.text)

    name = unique("泉城青创科技有限公司")
    uscc = new_uscc()
    entity_form = {
        "name": name,
        "uscc": bad_check_digit(uscc),
        "kind": "enterprise",
        "class": "startup",
        "founderGroup": "graduate",
        "foundedOn": "2024-05-01",
        "employees": "7",
        "operating": ["false", "true"],
    }
    refused = await _post(client, f"{base}/new/entity", entity_form)
    assert refused.status_code == 422
    assert "统一社会信用代码无效" in error_beside(refused.text, "f-uscc")
    saved = await _post(client, f"{base}/new/entity", {**entity_form, "uscc": uscc})
    assert saved.status_code == 303
    assert name in (await client.get(saved.headers["location"])).text


async def test_forms_of_another_street_or_city_are_not_found_and_other_roles_may_not_open_them(
    client: httpx.AsyncClient, auth: Auth, jinan_operator: StreetUser
) -> None:
    other = await create_street(client, auth)
    qingdao = await create_street(client, auth, "qingdao")
    await sign_in_form(client, jinan_operator.username)
    own = await client.get(f"/city/jinan/streets/{jinan_operator.street_id}/new/activity")
    token = csrf_of(own.text)
    for path in (
        f"/city/jinan/streets/{other['id']}/new/report",
        f"/city/qingdao/streets/{qingdao['id']}/new/report",
        f"/city/jinan/streets/{jinan_operator.street_id}/new/nonsense",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert other["name"] not in response.text
        posted = await client.post(path, data={"month": "2024-01", "jobsDriven": "1", "_csrf_token": token})
        assert posted.status_code == 404, path
    assert (await client.get("/city/jinan/streets/new")).status_code == 403
    assert (await client.get(f"/city/jinan/streets/{jinan_operator.street_id}/edit")).status_code == 403

    client.cookies.clear()
    await sign_in_form(client, "jinan-admin")
    assert (await client.get(f"/city/jinan/streets/{other['id']}/new/report")).status_code == 200
    assert (await client.get(f"/city/qingdao/streets/{qingdao['id']}/edit")).status_code == 404
    assert (await client.get(f"/city/jinan/streets/{qingdao['id']}/edit")).status_code == 404
    client.cookies.clear()
    await sign_in_form(client, "jinan-viewer")
    assert (await client.get(f"/city/jinan/streets/{other['id']}/new/report")).status_code == 403
    assert (await client.get("/city/jinan/streets/new")).status_code == 403
    tab = await client.get(f"/city/jinan/streets/{other['id']}/reports")
    assert "/new/report" not in tab.text  # no form link for a reader


async def test_a_form_posted_without_its_csrf_token_is_refused_and_writes_nothing(
    client: httpx.AsyncClient, jinan_operator: StreetUser
) -> None:
    await sign_in_form(client, jinan_operator.username)
    path = f"/city/jinan/streets/{jinan_operator.street_id}/new/activity"
    title = unique("无令牌活动")
    response = await client.post(path, data={"kind": "salon", "title": title, "heldOn": "2026-01-05"})
    assert response.status_code == 403
    assert "页面已过期" in response.text
    assert title not in (await client.get(f"/city/jinan/streets/{jinan_operator.street_id}/activities")).text
