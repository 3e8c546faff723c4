"""The pages over HTTP as a browser without JavaScript uses them: sign-in, CSRF, language, rights, lists."""

from __future__ import annotations

import re
import uuid

import httpx
from litestar import Litestar

from infra.db import owner_transaction
from infra.settings import Settings
from services.context import AppContext
from services.tenancy.seed import seed_users
from tenants.context import Role
from tests.conftest import PASSWORD, Auth, api_client
from tests.statements import page_statements
from tests.streetdata_fixtures import DISTRICTS, StreetUser, create_entity, create_street, unique
from tests.web.helpers import csrf_of, sign_in_form


async def test_signed_out_start_is_a_chinese_sign_in_form_with_labels_and_a_csrf_token(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="zh-CN">' in html
    assert '<label for="f-username">用户名' in html
    assert 'id="f-username" name="username"' in html
    assert '<label for="f-password">密码' in html
    assert 'type="password"' in html
    assert '<form method="post" action="/"' in html
    csrf_of(html)
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "jiequ_csrf" in response.headers["set-cookie"]


async def test_signing_in_sets_the_httponly_lax_cookie_and_start_leads_to_the_roles_home(
    client: httpx.AsyncClient,
) -> None:
    response = await sign_in_form(client, "jinan-admin")
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("jiequ_token=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    home = await client.get("/")
    assert home.status_code == 302
    assert home.headers["location"] == "/city/jinan"
    page = await client.get("/city/jinan")
    assert page.status_code == 200
    assert "济南市创业街区" in page.text


async def test_wrong_password_shows_the_chinese_message_and_keeps_the_user_name(client: httpx.AsyncClient) -> None:
    response = await sign_in_form(client, "binzhou-case", "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
    assert 'name="username" type="text" value="binzhou-case"' in response.text
    assert "jiequ_token" not in response.headers.get("set-cookie", "")


async def test_throttled_sign_in_says_how_long_to_wait(client: httpx.AsyncClient, settings: Settings) -> None:
    username = f"nobody-{uuid.uuid4().hex[:8]}"
    for _ in range(settings.login_max_failures):
        assert (await sign_in_form(client, username, "wrong")).status_code == 401
    response = await sign_in_form(client, username, "wrong")
    assert response.status_code == 429
    assert re.search(r"登录失败次数过多，请 \d+ 秒后再试", response.text)
    assert f'value="{username}"' in response.text


async def test_a_form_post_without_its_csrf_token_is_refused_and_signs_nobody_in(client: httpx.AsyncClient) -> None:
    await client.get("/")  # the CSRF cookie alone is not enough
    response = await client.post("/", data={"username": "jinan-admin", "password": PASSWORD})
    assert response.status_code == 403
    assert "页面已过期" in response.text
    assert "jiequ_token" not in response.headers.get("set-cookie", "")


async def test_the_json_api_needs_no_csrf_token(client: httpx.AsyncClient, auth: Auth) -> None:
    login = await client.post("/api/auth/login", json={"username": "jinan-admin", "password": PASSWORD})
    assert login.status_code == 201
    street = await create_street(client, auth)  # a POST with a Bearer token, no CSRF cookie or header
    assert street["id"] > 0


async def test_sign_out_clears_the_cookie(client: httpx.AsyncClient) -> None:
    await sign_in_form(client, "jinan-admin")
    home = await client.get("/city/jinan")
    response = await client.post("/signout", data={"_csrf_token": csrf_of(home.text)})
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert re.search(r'jiequ_token="?"?;.*Max-Age=0', response.headers["set-cookie"])
    client.cookies.delete("jiequ_token")
    assert (await client.get("/")).status_code == 200


async def test_a_page_signed_out_leads_to_sign_in_and_back(client: httpx.AsyncClient) -> None:
    response = await client.get("/city/jinan/streets?status=pilot")
    assert response.status_code == 302
    assert response.headers["location"] == "/?next=/city/jinan/streets%3Fstatus%3Dpilot"
    elsewhere = await client.get("/?next=//evil.example/")
    assert 'name="next" value=""' in elsewhere.text  # never to another host
    start = await client.get(response.headers["location"])
    assert 'name="next" value="/city/jinan/streets?status=pilot"' in start.text
    signed_in = await client.post(
        "/",
        data={
            "username": "jinan-admin",
            "password": PASSWORD,
            "next": "/city/jinan/streets?status=pilot",
            "_csrf_token": csrf_of(start.text),
        },
    )
    assert signed_in.headers["location"] == "/city/jinan/streets?status=pilot"


async def test_english_is_a_switch_that_is_remembered(client: httpx.AsyncClient) -> None:
    english = await client.get("/?lang=en")
    assert '<html lang="en">' in english.text
    assert ">Sign in<" in english.text
    assert "jiequ_lang=en" in english.headers["set-cookie"]
    again = await client.get("/")
    assert '<html lang="en">' in again.text
    chinese = await client.get("/?lang=zh")
    assert '<html lang="zh-CN">' in chinese.text
    assert ">登录<" in chinese.text


async def test_another_citys_and_another_streets_pages_show_nothing(
    client: httpx.AsyncClient, auth: Auth, jinan_operator: StreetUser
) -> None:
    qingdao = await create_street(client, auth, "qingdao")
    jinan = await create_street(client, auth, "jinan", name=unique("宽厚里创业街区"))
    admin = await auth.headers("jinan-admin")
    for path in (
        f"/city/qingdao/streets/{qingdao['id']}",
        f"/city/jinan/streets/{qingdao['id']}",
        "/city/qingdao",
        "/city/qingdao/streets",
        f"/city/jinan/streets/{jinan['id']}/nonsense",
    ):
        response = await client.get(path, headers=admin)
        assert response.status_code == 404, path
        assert "页面不存在或无权访问" in response.text
        assert qingdao["name"] not in response.text
    operator = await auth.headers(jinan_operator.username)
    own = await client.get(f"/city/jinan/streets/{jinan_operator.street_id}/home", headers=operator)
    assert own.status_code == 200
    for path in (
        f"/city/jinan/streets/{jinan['id']}",
        f"/city/jinan/streets/{jinan['id']}/home",
        f"/city/qingdao/streets/{qingdao['id']}/home",
    ):
        response = await client.get(path, headers=operator)
        assert response.status_code == 404, path
        assert jinan["name"] not in response.text
        assert qingdao["name"] not in response.text
    # The city's pages and the ledger are not an operator's.
    assert (await client.get("/city/jinan/streets", headers=operator)).status_code == 403
    ledger = await client.get(f"/city/jinan/streets/{jinan_operator.street_id}/ledger", headers=operator)
    assert ledger.status_code == 404
    assert "/ledger" not in own.text


async def test_streets_list_filters_and_counts(client: httpx.AsyncClient, auth: Auth) -> None:
    tag = uuid.uuid4().hex[:6]
    made = [
        await create_street(client, auth, name=f"筛选{tag}甲街区", theme="veterans", district=DISTRICTS["jinan"]),
        await create_street(client, auth, name=f"筛选{tag}乙街区", theme="graduates", district="370103"),
        await create_street(client, auth, name=f"筛选{tag}丙街区", theme="veterans", district="370103"),
    ]
    admin = await auth.headers("jinan-admin")

    async def names(**query: str) -> tuple[set[str], str]:
        # A form sends the filters left at "all" as empty values.
        params = {"status": "", "theme": "", "district": "", "q": f"筛选{tag}", **query}
        response = await client.get("/city/jinan/streets", params=params, headers=admin)
        assert response.status_code == 200
        return {s["name"] for s in made if s["name"] in response.text}, response.text

    everything, html = await names()
    assert len(everything) == 3
    assert "共 3 条" in html
    veterans, html = await names(theme="veterans")
    assert veterans == {made[0]["name"], made[2]["name"]}
    assert "共 2 条" in html
    shizhong, html = await names(theme="veterans", district="370103")
    assert shizhong == {made[2]["name"]}
    assert "共 1 条" in html
    assert "市中区" in html
    none, html = await names(status="designated")
    assert none == set()
    assert "没有符合条件的街区" in html
    bad = await client.get("/city/jinan/streets", params={"status": "nonsense"}, headers=admin)
    assert bad.status_code == 400
    assert "请求的参数有误" in bad.text


async def test_street_tabs_show_names_and_chinese_labels(client: httpx.AsyncClient, auth: Auth) -> None:
    street = await create_street(client, auth)
    entity = await create_entity(client, auth, street["id"], employees=12345)
    admin = await auth.headers("jinan-admin")
    base = f"/city/jinan/streets/{street['id']}"
    profile = await client.get(base, headers=admin)
    assert street["operator"]["name"] in profile.text
    assert "王晓涵" in profile.text
    assert "政策咨询" in profile.text
    entities = await client.get(f"{base}/entities", headers=admin)
    assert entity["name"] in entities.text
    assert "初创企业" in entities.text
    assert "12,345" in entities.text
    for tab in ("activities", "reports", "surveys", "internships", "ledger", "assessments"):
        response = await client.get(f"{base}/{tab}", headers=admin)
        assert response.status_code == 200, tab
        assert street["name"] in response.text
    partial = await client.get(f"{base}/entities", headers={**admin, "HX-Request": "true"})
    assert partial.text.lstrip().startswith('<div id="street-tabs">')
    assert "<html" not in partial.text


async def test_the_assessment_tab_shows_each_criterion_with_what_is_missing_to_pass(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    street = await create_street(client, auth)
    await create_entity(client, auth, street["id"])
    admin = await auth.headers("jinan-admin")
    assessed = await client.post(
        f"/api/tenants/jinan/streets/{street['id']}/assessments", headers=admin, json={"year": 2025}
    )
    assert assessed.status_code == 201, assessed.text
    criteria = {c["id"]: c for c in assessed.json()["criteria"]}
    html = (await client.get(f"/city/jinan/streets/{street['id']}/assessments", headers=admin)).text
    assert "达标还需" in html
    entities = criteria["entity_count"]
    assert entities["result"] == "fail"
    required = int(entities["required"].removeprefix("≥ "))
    assert f"还差 {required - 1:,} 家" in html  # one entity registered
    assert "鲁人社函〔2024〕49号" in html  # the clause
    assert entities["explanationZh"] in html
    missing = next(c for c in criteria.values() if c["result"] == "no_data")
    assert re.search("缺少“[^”]+”的数据", html), missing["id"]
    english = (await client.get(f"/city/jinan/streets/{street['id']}/assessments?lang=en", headers=admin)).text
    assert f"{required - 1:,} entities short" in english


async def test_lists_read_the_same_number_of_statements_for_n_rows_as_for_2n(
    app: Litestar, context: AppContext, auth: Auth
) -> None:
    # Zibo is used by no other page test: its lists grow only here, from N = 2 rows to 2N = 4.
    n = 2
    async with api_client(app) as client:
        street = await create_street(client, auth, "zibo")
        base = f"/city/zibo/streets/{street['id']}"
        lists = [
            "/city/zibo",
            "/city/zibo/streets",
            "/city/zibo/accounts",
            *(f"{base}/{tab}" for tab in ("entities", "activities", "ledger", "internships", "assessments")),
        ]
        for _ in range(n):
            await _add_rows(client, auth, street["id"])
        with_n = {path: await page_statements(app, context, auth, path, "zibo-admin") for path in lists}
        for _ in range(n):
            await _add_rows(client, auth, street["id"])
    with_2n = {path: await page_statements(app, context, auth, path, "zibo-admin") for path in lists}
    assert with_2n == with_n


async def _add_rows(client: httpx.AsyncClient, auth: Auth, street_id: int) -> None:
    """Another street and user in Zibo, and an entity, an activity, a ledger entry, an internship position and
    an assessment in ``street_id``."""
    await create_street(client, auth, "zibo")
    entity = await create_entity(client, auth, street_id, "zibo")
    headers = await auth.headers("zibo-admin")
    base = f"/api/tenants/zibo/streets/{street_id}"
    posts = [
        ("/api/tenants/zibo/ledger", {"entityId": entity["id"], "need": "talent"}),
        (f"{base}/internships", {"title": "电商运营见习", "openedOn": "2025-03-01", "entityId": entity["id"]}),
        (f"{base}/activities", {"kind": "salon", "title": "创业沙龙", "heldOn": "2025-03-15", "participants": 30}),
        (f"{base}/assessments", {"year": 2025}),
        ("/api/tenants/zibo/users", {"username": unique("zibo-view-"), "displayName": "观察员", "role": "viewer"}),
    ]
    for path, body in posts:
        response = await client.post(path, headers=headers, json=body)
        assert response.status_code == 201, response.text


async def test_an_operator_bound_to_no_street_is_told_so(client: httpx.AsyncClient, context: AppContext) -> None:
    username = unique("jinan-op-nostreet-")
    async with owner_transaction(context.sessions) as session:
        await seed_users(session, [(username, "jinan", Role.OPERATOR)], PASSWORD)
    await sign_in_form(client, username)
    response = await client.get("/")
    assert response.status_code == 403
    assert "此运营机构账号尚未绑定街区" in response.text
    assert "退出" in response.text


async def test_the_province_starts_on_its_cities_and_reads_a_citys_pages(client: httpx.AsyncClient) -> None:
    await sign_in_form(client, "province")
    start = await client.get("/")
    assert start.headers["location"] == "/province/shandong"
    cities = await client.get("/province/shandong")
    assert cities.status_code == 200
    assert '<a class="tile" href="/city/jinan">济南市</a>' in cities.text
    assert (await client.get("/city/jinan/streets")).status_code == 200
    assert (await client.get("/province/jinan")).status_code == 404


async def test_an_overlong_password_is_refused_without_checking_it(client: httpx.AsyncClient) -> None:
    response = await sign_in_form(client, "jinan-admin", "x" * 100_000)
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
