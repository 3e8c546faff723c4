"""``/api/tenants/{tenant}/streets/{id}/attestations``: an operator's claims count only once the city verifies
them; evidence files are checked by their bytes; a changed claim is unverified again; every decision audited."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx

from services.context import AppContext
from tests.cases.test_cases_api import png
from tests.conftest import Auth
from tests.streetdata_fixtures import StreetUser, audit_rows, count, create_street, street_body

YEAR = 2025
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def path(street_id: int, tenant: str = "jinan") -> str:
    return f"/api/tenants/{tenant}/streets/{street_id}/attestations"


async def claims(client: httpx.AsyncClient, auth: Auth, street_id: int, user: str = "jinan-admin") -> dict[str, Any]:
    response = await client.get(path(street_id), headers=await auth.headers(user))
    assert response.status_code == 200, response.text
    return {a["claim"]: a for a in response.json()}


async def criteria(client: httpx.AsyncClient, auth: Auth, street_id: int) -> dict[str, Any]:
    """The street's assessment for the year, by criterion id, with its unverified claims under ``_claims``."""
    response = await client.post(
        f"/api/tenants/jinan/streets/{street_id}/assessments",
        json={"year": YEAR},
        headers=await auth.headers("jinan-admin"),
    )
    assert response.status_code == 201, response.text
    found = {c["id"]: c for c in response.json()["criteria"]}
    return {**found, "_claims": response.json()["unverifiedClaims"]}


async def test_what_the_city_admin_enters_counts_as_verified(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    stated = await claims(client, auth, street["id"], "jinan-viewer")
    assert {c: a["status"] for c, a in stated.items()} == {
        "legal_person": "verified",
        "clean_record": "verified",
        "digital_platform_url": "verified",
    }
    assert stated["legal_person"]["verifiedBy"] == "jinan-admin"
    assert stated["digital_platform_url"]["value"] == "https://jiequ.example.cn/platform"
    verdict = await criteria(client, auth, street["id"])
    assert verdict["operator_legal_person"]["result"] == "pass"
    assert verdict["operator_digital_platform"]["result"] == "pass"
    assert verdict["_claims"] == {}


async def test_an_operator_change_is_awaiting_verification_never_a_pass(
    auth: Auth, client: httpx.AsyncClient, jinan_operator: StreetUser, context: AppContext
) -> None:
    street_id = jinan_operator.street_id
    operator = await auth.headers(jinan_operator.username)
    street = f"/api/tenants/jinan/streets/{street_id}"
    changed = await client.patch(
        street,
        json={"operator": {"legalPerson": True, "digitalPlatformUrl": "https://new.example.cn"}},
        headers=operator,
    )
    assert changed.status_code == 200, changed.text
    # Reset to the city's own entry first, so the operator's change below is a change.
    admin = await auth.headers("jinan-admin")
    await client.patch(street, json={"operator": {"cleanRecord": False}}, headers=admin)
    assert (await claims(client, auth, street_id))["clean_record"]["status"] == "verified"
    changed = await client.patch(street, json={"operator": {"cleanRecord": True}}, headers=operator)
    assert changed.status_code == 200, changed.text

    stated = await claims(client, auth, street_id, jinan_operator.username)
    assert stated["clean_record"] == {
        "claim": "clean_record",
        "value": True,
        "status": "unverified",
        "note": "",
        "verifiedBy": None,
        "verifiedAt": None,
        "evidence": None,
    }
    assert stated["digital_platform_url"]["status"] == "unverified"
    verdict = await criteria(client, auth, street_id)
    clean = verdict["operator_clean_record"]
    assert clean["result"] == "no_data"
    assert clean["actual"] is None
    assert "待核实" in clean["explanationZh"]
    assert "awaiting verification" in clean["explanationEn"]
    assert verdict["operator_digital_platform"]["result"] == "no_data"
    assert verdict["_claims"]["operator_clean_record"] == "unverified"
    assert await count(context, "SELECT count(*) FROM audit_log WHERE action = 'attestation.reset'") >= 1

    # Verified now: the claim counts; the operator changing it again sends it back.
    verified = await client.put(
        f"{path(street_id)}/clean_record", json={"status": "verified", "note": "信用中国查询无记录"}, headers=admin
    )
    assert verified.status_code == 200, verified.text
    assert verified.json()["status"] == "verified"
    assert verified.json()["verifiedBy"] == "jinan-admin"
    assert (await criteria(client, auth, street_id))["operator_clean_record"]["result"] == "pass"
    await client.patch(street, json={"operator": {"cleanRecord": False}}, headers=operator)
    await client.patch(street, json={"operator": {"cleanRecord": True}}, headers=operator)
    assert (await claims(client, auth, street_id))["clean_record"]["status"] == "unverified"
    assert (await criteria(client, auth, street_id))["operator_clean_record"]["result"] == "no_data"


async def test_the_city_admins_are_told_once_of_a_claim_to_verify(
    auth: Auth, client: httpx.AsyncClient, jinan_operator: StreetUser, context: AppContext
) -> None:
    street_id = jinan_operator.street_id
    street = f"/api/tenants/jinan/streets/{street_id}"
    told = "SELECT count(*) FROM notifications WHERE tenant_id = 'jinan' AND kind = 'claims_unverified'"
    admins = await count(context, "SELECT count(*) FROM users WHERE tenant_id = 'jinan' AND role = 'city_admin'")
    assert admins >= 1
    before = await count(context, told)

    # What the city admin enters is verified already: nobody is told.
    entered = await client.patch(
        street,
        json={"operator": {"digitalPlatformUrl": "https://city.example.cn"}},
        headers=await auth.headers("jinan-admin"),
    )
    assert entered.status_code == 200, entered.text
    assert await count(context, told) == before

    operator = await auth.headers(jinan_operator.username)
    for _ in range(2):  # the same value saved twice is one change to verify
        changed = await client.patch(
            street, json={"operator": {"digitalPlatformUrl": "https://operator.example.cn"}}, headers=operator
        )
        assert changed.status_code == 200, changed.text
    assert await count(context, told) == before + admins

    listed = await client.get("/api/notifications", params={"limit": 200}, headers=await auth.headers("jinan-admin"))
    [notice] = [n for n in listed.json() if n["kind"] == "claims_unverified" and n["streetId"] == street_id][-1:]
    name = (await client.get(street, headers=await auth.headers("jinan-admin"))).json()["name"]
    assert notice["titleZh"] == f"待核实：{name}运营机构修改了申报事项"
    assert "数字化管理平台" in notice["bodyZh"]
    assert "digital" in notice["bodyEn"]
    assert notice["streetName"] == name
    elsewhere = await client.get(
        "/api/notifications", params={"limit": 200}, headers=await auth.headers("qingdao-admin")
    )
    assert all(n["streetId"] != street_id for n in elsewhere.json())


async def test_verify_and_reject_with_a_note_and_audit(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    admin = await auth.headers("jinan-admin")
    no_note = await client.put(f"{path(street['id'])}/legal_person", json={"status": "rejected"}, headers=admin)
    assert no_note.status_code == 422
    assert "note" in no_note.text
    rejected = await client.put(
        f"{path(street['id'])}/legal_person",
        json={"status": "rejected", "note": "营业执照已注销"},
        headers=admin,
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["note"] == "营业执照已注销"
    verdict = await criteria(client, auth, street["id"])
    assert verdict["operator_legal_person"]["result"] == "no_data"
    assert "驳回" in verdict["operator_legal_person"]["explanationZh"]
    assert verdict["_claims"] == {"operator_legal_person": "rejected"}
    (row,) = await audit_rows(client, auth, "jinan", "attestation.reject", f"{street['id']}:legal_person")
    assert row["after"]["status"] == "rejected"
    assert row["after"]["note"] == "营业执照已注销"
    assert row["actor"] == "jinan-admin"

    verified = await client.put(f"{path(street['id'])}/legal_person", json={"status": "verified"}, headers=admin)
    assert verified.json()["status"] == "verified"
    assert (await criteria(client, auth, street["id"]))["operator_legal_person"]["result"] == "pass"
    rows = await audit_rows(client, auth, "jinan", "attestation.verify", f"{street['id']}:legal_person")
    assert rows[0]["before"]["status"] == "rejected"

    unknown = await client.put(f"{path(street['id'])}/uscc", json={"status": "verified"}, headers=admin)
    assert unknown.status_code in (400, 404, 422)
    nothing = await create_street(client, auth, operator={**street_body()["operator"], "digitalPlatformUrl": None})
    refused = await client.put(
        f"{path(nothing['id'])}/digital_platform_url", json={"status": "verified"}, headers=admin
    )
    assert refused.status_code == 422
    assert "数字化管理平台" in refused.json()["detail"]


async def test_evidence_is_typed_by_its_bytes_and_stored_with_its_hash(
    auth: Auth, client: httpx.AsyncClient, context: AppContext
) -> None:
    street = await create_street(client, auth)
    admin = await auth.headers("jinan-admin")
    evidence = f"{path(street['id'])}/legal_person/evidence"
    # A PNG named .pdf is a PNG.
    saved = await client.put(evidence, files={"file": ("licence.pdf", png(), "application/pdf")}, headers=admin)
    assert saved.status_code == 200, saved.text
    assert saved.json()["evidence"] == {
        "mediaType": "image/png",
        "size": len(png()),
        "sha256": hashlib.sha256(png()).hexdigest(),
    }
    got = await client.get(evidence, headers=await auth.headers("jinan-viewer"))
    assert got.status_code == 200
    assert got.headers["content-type"] == "image/png"
    assert got.content == png()
    # A text file named .pdf is refused, and nothing changes.
    text_file = await client.put(
        evidence, files={"file": ("licence.pdf", b"just words", "application/pdf")}, headers=admin
    )
    assert text_file.status_code == 422
    assert "PDF" in text_file.json()["detail"]
    stored = await count(
        context,
        "SELECT count(*) FROM attestations WHERE street_id = :s AND evidence_sha256 = :h",
        s=street["id"],
        h=hashlib.sha256(png()).hexdigest(),
    )
    assert stored == 1
    pdf = await client.put(evidence, files={"file": ("scan.bin", PDF)}, headers=admin)
    assert pdf.json()["evidence"]["mediaType"] == "application/pdf"
    # Over 10 MB: refused by the service (422) or, far over, by the request limit (413).
    big = await client.put(evidence, files={"file": ("big.pdf", b"%PDF-" + b"\0" * (10 * 1024 * 1024))}, headers=admin)
    assert big.status_code == 422
    assert "10 MB" in big.json()["detail"]
    huge = await client.put(
        evidence, files={"file": ("huge.pdf", b"%PDF-" + b"\0" * (11 * 1024 * 1024))}, headers=admin
    )
    assert huge.status_code == 413
    assert (await client.get(evidence, headers=admin)).content == PDF
    (row, *_) = await audit_rows(client, auth, "jinan", "attestation.evidence", f"{street['id']}:legal_person")
    assert row["after"]["evidenceType"] == "application/pdf"
    assert "evidence" not in row["after"]  # the bytes stay out of the audit log
    none_yet = await client.get(f"{path(street['id'])}/clean_record/evidence", headers=admin)
    assert none_yet.status_code == 404


async def test_only_the_city_admin_decides_and_another_city_sees_nothing(
    auth: Auth, client: httpx.AsyncClient, jinan_operator: StreetUser
) -> None:
    street_id = jinan_operator.street_id
    decision = {"status": "verified", "note": "ok"}
    for user in ("jinan-case", jinan_operator.username, "jinan-viewer"):
        headers = await auth.headers(user)
        refused = await client.put(f"{path(street_id)}/legal_person", json=decision, headers=headers)
        assert refused.status_code == 403, (user, refused.text)
        upload = await client.put(
            f"{path(street_id)}/legal_person/evidence", files={"file": ("a.png", png())}, headers=headers
        )
        assert upload.status_code == 403
    assert (await client.get(path(street_id), headers=await auth.headers("jinan-case"))).status_code == 200
    qingdao = await auth.headers("qingdao-admin")
    assert (await client.get(path(street_id), headers=qingdao)).status_code in (403, 404)
    assert (await client.get(path(street_id, "qingdao"), headers=qingdao)).status_code == 404
    other = await client.put(f"{path(street_id, 'qingdao')}/legal_person", json=decision, headers=qingdao)
    assert other.status_code == 404
    evidence = await client.get(f"{path(street_id, 'qingdao')}/legal_person/evidence", headers=qingdao)
    assert evidence.status_code == 404
    # An operator reads its own street's claims, not another street's.
    mine = await client.get(path(street_id), headers=await auth.headers(jinan_operator.username))
    assert mine.status_code == 200
    another = await create_street(client, auth)
    theirs = await client.get(path(another["id"]), headers=await auth.headers(jinan_operator.username))
    assert theirs.status_code == 404
