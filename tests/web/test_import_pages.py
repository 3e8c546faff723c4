"""The import wizard over HTTP: the template link, an upload with row errors (nothing saved), then the count."""

from __future__ import annotations

import httpx
from litestar import Litestar

from tests.conftest import Auth, api_client
from tests.streetdata_fixtures import ENTITY_HEADER_ZH, StreetUser, create_street, csv_file, new_uscc, xlsx_file
from tests.web.helpers import csrf_of, sign_in_form

HEADER = ENTITY_HEADER_ZH[:9]  # without the leaving date


def entity(name: str, uscc: str | None = None, employees: object = 4) -> list[object]:
    return [name, uscc or new_uscc(), "企业", "初创企业", "高校毕业生", "2023-03-01", employees, "是", "2023-04-01"]


async def _upload(client: httpx.AsyncClient, path: str, name: str, content: bytes) -> httpx.Response:
    form = await client.get(path)
    assert form.status_code == 200, form.text[:500]
    return await client.post(path, data={"_csrf_token": csrf_of(form.text)}, files={"file": (name, content)})


async def _count(app: Litestar, auth: Auth, street_id: int) -> int:
    async with api_client(app) as api:
        response = await api.get(
            f"/api/tenants/jinan/streets/{street_id}/entities", headers=await auth.headers("jinan-admin")
        )
        return int(response.headers["x-total-count"])


async def test_a_bad_file_lists_every_row_error_and_saves_nothing_then_a_good_one_imports(
    app: Litestar, auth: Auth, client: httpx.AsyncClient
) -> None:
    street = await create_street(client, auth, "jinan")
    path = f"/city/jinan/streets/{street['id']}/import/entities"
    async with api_client(app) as admin:
        await sign_in_form(admin, "jinan-admin")
        wizard = await admin.get(path)
        assert 'href="/api/tenants/jinan/templates/entities.xlsx"' in wizard.text
        assert 'enctype="multipart/form-data"' in wizard.text
        template = await admin.get("/api/tenants/jinan/templates/entities.xlsx")  # the link works with the cookie
        assert template.status_code == 200
        assert template.content[:2] == b"PK"

        bad = xlsx_file([HEADER, entity("好的一行"), entity("人数有误", employees="很多"), entity("", uscc="123")])
        rejected = await _upload(admin, path, "实体.xlsx", bad)
        assert rejected.status_code == 422
        assert "未导入任何数据" in rejected.text
        assert '<td class="num">3</td><td>从业人数</td>' in rejected.text
        assert '<td class="num">4</td><td>统一社会信用代码</td>' in rejected.text
        assert '<td class="num">4</td><td>实体名称</td>' in rejected.text
        assert " / " not in rejected.text.split("错误明细")[1].split("</table>")[0]  # Chinese only
        assert await _count(app, auth, street["id"]) == 0

        good = csv_file([HEADER, entity("泉城青创科技有限公司"), entity("历下小吃个体户")])
        imported = await _upload(admin, path, "entities.csv", good)
        assert imported.status_code == 200, imported.text[:1000]
        assert "导入成功：共导入 2 条" in imported.text
        assert await _count(app, auth, street["id"]) == 2

        unreadable = await _upload(admin, path, "entities.txt", b"nothing")
        assert unreadable.status_code == 422
        assert 'class="notice error"' in unreadable.text


async def test_imports_of_another_city_or_street_answer_404(
    app: Litestar, auth: Auth, jinan_operator: StreetUser
) -> None:
    async with api_client(app) as api:
        qingdao = await create_street(api, auth, "qingdao")
        other = await create_street(api, auth, "jinan")
    async with api_client(app) as admin:
        await sign_in_form(admin, "jinan-admin")
        assert (await admin.get(f"/city/qingdao/streets/{qingdao['id']}/import/entities")).status_code == 404
        assert (await admin.get(f"/city/jinan/streets/{other['id']}/import/nothing")).status_code == 404
        own = f"/city/jinan/streets/{other['id']}/import/activities"
        token = csrf_of((await admin.get(own)).text)
        posted = await admin.post(
            f"/city/qingdao/streets/{qingdao['id']}/import/entities",
            data={"_csrf_token": token},
            files={"file": ("e.csv", csv_file([HEADER, entity("越界")]))},
        )
        assert posted.status_code == 404
    async with api_client(app) as operator:
        await sign_in_form(operator, jinan_operator.username)
        assert (await operator.get(f"/city/jinan/streets/{other['id']}/import/entities")).status_code == 404
        assert (await operator.get(f"/city/jinan/streets/{jinan_operator.street_id}/import/surveys")).status_code == 200
    async with api_client(app) as caseworker:
        await sign_in_form(caseworker, "jinan-case")
        assert (await caseworker.get(f"/city/jinan/streets/{other['id']}/import/entities")).status_code == 403


async def test_the_entities_activities_and_surveys_tabs_link_to_their_import_and_template(
    app: Litestar, auth: Auth, client: httpx.AsyncClient
) -> None:
    street = await create_street(client, auth, "jinan")
    base = f"/city/jinan/streets/{street['id']}"
    async with api_client(app) as admin, api_client(app) as viewer:
        await sign_in_form(admin, "jinan-admin")
        await sign_in_form(viewer, "jinan-viewer")
        for kind in ("entities", "activities", "surveys"):
            html = (await admin.get(f"{base}/{kind}")).text
            assert f'href="{base}/import/{kind}"' in html, kind
            assert f'href="/api/tenants/jinan/templates/{kind}.xlsx"' in html, kind
            read_only = await viewer.get(f"{base}/{kind}")
            assert read_only.status_code == 200, kind
            assert "/import/" not in read_only.text, kind  # who may not import is not offered it
        assert "/import/" not in (await admin.get(f"{base}/reports")).text
