"""The street's profile tab shows where the verification of each operator claim stands; the city admin verifies
or rejects a claim there with a note and an evidence file; an operator sees the state but no form."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.async_api import Browser, expect

from tests.cases.test_cases_api import png
from tests.conftest import Auth
from tests.streetdata_fixtures import StreetUser, create_street
from tests.web.browser import DESKTOP, PHONE, LiveServer, looks_right, open_watched, sign_in
from tests.web.helpers import csrf_of, error_beside, sign_in_form


async def test_the_city_admin_verifies_and_rejects_on_the_street_page(
    client: httpx.AsyncClient, auth: Auth, jinan_operator: StreetUser
) -> None:
    street_id = jinan_operator.street_id
    changed = await client.patch(
        f"/api/tenants/jinan/streets/{street_id}",
        json={"operator": {"digitalPlatformUrl": "https://pages.example.cn"}},
        headers=await auth.headers(jinan_operator.username),
    )
    assert changed.status_code == 200, changed.text
    page = f"/city/jinan/streets/{street_id}"

    await sign_in_form(client, jinan_operator.username)
    mine = await client.get(page)
    assert mine.status_code == 200
    assert '<span class="badge attestationStatus-unverified">待核实</span>' in mine.text
    assert '<span class="badge attestationStatus-verified">已核实</span>' in mine.text  # the city's own entries
    assert 'enctype="multipart/form-data"' not in mine.text  # no verification form for the operator
    forbidden = await client.post(
        f"{page}/attestations/digital_platform_url",
        data={"status": "verified", "_csrf_token": csrf_of(mine.text)},
        files={"file": ("", b"")},
    )
    assert forbidden.status_code in (403, 404)

    client.cookies.clear()
    await sign_in_form(client, "jinan-admin")
    opened = await client.get(page)
    assert opened.status_code == 200
    assert f'action="{page}/attestations/digital_platform_url"' in opened.text
    token = csrf_of(opened.text)
    refused = await client.post(
        f"{page}/attestations/digital_platform_url",
        data={"status": "rejected", "note": "", "_csrf_token": token},
        files={"file": ("", b"")},
    )
    assert refused.status_code == 422
    assert "驳回须填写核实意见" in error_beside(refused.text, "f-digital_platform_url-note")
    wrong_file = await client.post(
        f"{page}/attestations/digital_platform_url",
        data={"status": "verified", "note": "", "_csrf_token": token},
        files={"file": ("scan.pdf", b"plain text", "application/pdf")},
    )
    assert wrong_file.status_code == 422
    assert "PDF、JPEG 或 PNG" in error_beside(wrong_file.text, "f-digital_platform_url-file")

    saved = await client.post(
        f"{page}/attestations/digital_platform_url",
        data={"status": "verified", "note": "已登录平台核验", "_csrf_token": token},
        files={"file": ("screenshot.pdf", png(), "application/pdf")},
    )
    assert saved.status_code == 303, saved.text
    shown = await client.get(saved.headers["location"])
    assert "核实结论已保存。" in shown.text
    assert "已登录平台核验" in shown.text
    assert f"/api/tenants/jinan/streets/{street_id}/attestations/digital_platform_url/evidence" in shown.text
    assert "attestationStatus-unverified" not in shown.text
    stated = await client.get(
        f"/api/tenants/jinan/streets/{street_id}/attestations", headers=await auth.headers("jinan-admin")
    )
    platform = next(a for a in stated.json() if a["claim"] == "digital_platform_url")
    assert platform["status"] == "verified"
    assert platform["evidence"]["mediaType"] == "image/png"

    # Another city's admin finds no such street.
    other = await create_street(client, auth, "qingdao")
    client.cookies.clear()
    await sign_in_form(client, "qingdao-admin")
    assert (await client.get(page)).status_code == 404
    qingdao = await client.get(f"/city/qingdao/streets/{other['id']}")
    assert (
        await client.post(
            f"/city/qingdao/streets/{street_id}/attestations/legal_person",
            data={"status": "verified", "_csrf_token": csrf_of(qingdao.text)},
            files={"file": ("", b"")},
        )
    ).status_code == 404


async def test_the_city_admin_rejects_a_claim_with_a_scan_in_the_browser(
    live: LiveServer, browser: Browser, client: httpx.AsyncClient, auth: Auth, tmp_path: Path
) -> None:
    street = await create_street(client, auth)
    scan = tmp_path / "licence.pdf"
    scan.write_bytes(b"%PDF-1.7\n%%EOF\n")
    for viewport, name in ((PHONE, "street-attestations-phone"), (DESKTOP, "street-attestations")):
        page, watch = await open_watched(browser, viewport=viewport)
        await sign_in(page, live.url, "jinan-admin")
        await page.goto(f"{live.url}/city/jinan/streets/{street['id']}")
        # A verified claim's form is folded away; an unverified one's is open.
        claim = page.locator("#claim-legal_person")
        await claim.get_by_text("核实或驳回").click()
        form = page.get_by_role("form", name="核实：独立法人资格")
        await expect(form).to_be_visible()
        await looks_right(page, name, labelled=True)
        if viewport == DESKTOP:
            await form.get_by_label("核实结论").select_option("rejected")
            await form.get_by_label("核实意见").fill("营业执照已注销")
            await form.get_by_label("证明材料（PDF、JPEG 或 PNG，不超过 10 MB，可选）").set_input_files(str(scan))
            await form.get_by_role("button", name="保存核实结论").click()
            await expect(page.get_by_text("核实结论已保存。")).to_be_visible()
            await expect(claim.locator(".badge")).to_have_text("已驳回")
            await expect(claim).to_contain_text("营业执照已注销")
            await expect(claim.get_by_role("link", name="证明材料")).to_be_visible()
        watch.assert_clean()
        await page.context.close()
