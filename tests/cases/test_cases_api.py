"""Typical cases (典型案例): drafted for a street, submitted, reviewed by the city, published by the province;
images checked by their bytes; every route refused to another city; every step audited."""

from __future__ import annotations

import struct
import zlib
from typing import Any

import httpx

from services.context import AppContext
from tests.conftest import Auth
from tests.streetdata_fixtures import StreetUser, audit_rows, count, create_street, statuses

CASES = "/api/tenants/jinan/cases"
PROVINCE = "/api/province/shandong/cases"


def png() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def case_body(street_id: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "streetId": street_id,
        "title": "芙蓉街“创业集市”带动青年创业",
        "category": "youth",
        "summary": "以周末集市孵化青年创业项目。",
        "body": "## 做法\n\n每周末开放 **60 个** 摊位。",
        "figures": [{"label": "带动就业", "value": "1,200 人"}],
        "year": 2025,
    }
    body.update(overrides)
    return body


async def draft(client: httpx.AsyncClient, auth: Auth, street_id: int, user: str = "jinan-admin") -> dict[str, Any]:
    created = await client.post(CASES, json=case_body(street_id), headers=await auth.headers(user))
    assert created.status_code == 201, created.text
    result: dict[str, Any] = created.json()
    return result


async def test_draft_submit_accept_publish_and_every_step_audited(
    auth: Auth, client: httpx.AsyncClient, jinan_operator: StreetUser
) -> None:
    operator = await auth.headers(jinan_operator.username)
    case = await draft(client, auth, jinan_operator.street_id, jinan_operator.username)
    assert case["status"] == "draft"
    assert case["streetName"]
    assert case["figures"] == [{"label": "带动就业", "value": "1,200 人"}]
    path = f"{CASES}/{case['id']}"
    changed = await client.patch(path, json={"title": "芙蓉街创业集市"}, headers=operator)
    assert changed.status_code == 200, changed.text
    assert (await client.post(f"{path}/submit", headers=operator)).json()["status"] == "submitted"
    # Submitted: the street can no longer change it, the operator cannot review it.
    refused = await client.patch(path, json={"title": "再改"}, headers=operator)
    assert refused.status_code == 409
    assert "草稿" in refused.json()["detail"]
    review = f"{path}/review"
    assert (await client.post(review, json={"decision": "accept"}, headers=operator)).status_code == 403
    admin = await auth.headers("jinan-admin")
    no_comment = await client.post(review, json={"decision": "return"}, headers=admin)
    assert no_comment.status_code == 422
    assert "comment" in no_comment.text
    returned = await client.post(
        review, json={"decision": "return", "comment": "请补充带动就业的数据来源"}, headers=admin
    )
    assert returned.json()["status"] == "returned"
    assert returned.json()["reviewComment"] == "请补充带动就业的数据来源"
    assert (await client.patch(path, json={"summary": "已补充。"}, headers=operator)).status_code == 200
    assert (await client.post(f"{path}/submit", headers=operator)).status_code == 200
    accepted = await client.post(review, json={"decision": "accept"}, headers=admin)
    assert accepted.json()["status"] == "accepted"

    province = await auth.headers("province")
    listed = await client.get(PROVINCE, headers=province)
    assert listed.status_code == 200
    assert case["id"] in [c["id"] for c in listed.json()]
    assert int(listed.headers["x-total-count"]) >= 1
    publish = f"{PROVINCE}/jinan/{case['id']}/publish"
    assert (await client.post(publish, headers=await auth.headers("province-viewer"))).status_code == 403
    assert (await client.post(publish, headers=admin)).status_code == 403
    published = await client.post(publish, headers=province)
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    assert published.json()["publishedAt"]
    assert (await client.post(publish, headers=province)).status_code == 409
    unpublished = await client.post(f"{PROVINCE}/jinan/{case['id']}/unpublish", headers=province)
    assert unpublished.json()["status"] == "accepted"

    for action in ("create", "update", "submit", "return", "accept", "publish", "unpublish"):
        assert await audit_rows(client, auth, "jinan", f"case.{action}", case["id"]), action


async def test_every_route_refuses_another_city_and_another_street(
    auth: Auth, client: httpx.AsyncClient, jinan_operator: StreetUser
) -> None:
    street = await create_street(client, auth)
    case = await draft(client, auth, street["id"])
    path = f"{CASES}/{case['id']}"
    image = await client.post(
        f"{path}/images", files={"file": ("a.png", png())}, headers=await auth.headers("jinan-admin")
    )
    assert image.status_code == 201, image.text
    requests: list[tuple[str, str, Any]] = [
        ("GET", path, None),
        ("PATCH", path, {"title": "别人的"}),
        ("POST", f"{path}/submit", None),
        ("GET", f"{path}/images/1", None),
    ]
    for method, url, body in requests:
        assert await statuses(client, auth, ["qingdao-admin", jinan_operator.username], method, url, body) == {
            "qingdao-admin": 404,
            jinan_operator.username: 404,
        }, url
        other = url.replace("/jinan/", "/qingdao/")
        assert await statuses(client, auth, ["qingdao-admin"], method, other, body) == {"qingdao-admin": 404}, other
    upload = await client.post(
        f"{path}/images", files={"file": ("b.png", png())}, headers=await auth.headers("qingdao-admin")
    )
    assert upload.status_code == 404
    review = await client.post(
        f"{CASES.replace('jinan', 'qingdao')}/{case['id']}/review",
        json={"decision": "accept"},
        headers=await auth.headers("qingdao-admin"),
    )
    assert review.status_code == 404
    # The other city's list holds nothing of Jinan's; an operator lists only its own street's.
    qingdao = await client.get("/api/tenants/qingdao/cases", headers=await auth.headers("qingdao-admin"))
    assert case["id"] not in [c["id"] for c in qingdao.json()]
    mine = await client.get(CASES, headers=await auth.headers(jinan_operator.username))
    assert {c["streetId"] for c in mine.json()} <= {jinan_operator.street_id}
    # Another street's case: the operator cannot draft for it.
    foreign = await client.post(
        CASES, json=case_body(street["id"]), headers=await auth.headers(jinan_operator.username)
    )
    assert foreign.status_code == 404
    # The province publishes only its cities' accepted cases: a draft or an unknown city is not found.
    province = await auth.headers("province")
    assert (await client.post(f"{PROVINCE}/jinan/{case['id']}/publish", headers=province)).status_code == 404
    assert (await client.post(f"{PROVINCE}/nowhere/{case['id']}/publish", headers=province)).status_code == 404
    assert (await client.get("/api/province/jinan/cases", headers=await auth.headers("jinan-admin"))).status_code == 403


async def test_images_are_checked_by_their_bytes(auth: Auth, client: httpx.AsyncClient, context: AppContext) -> None:
    street = await create_street(client, auth)
    case = await draft(client, auth, street["id"])
    path = f"{CASES}/{case['id']}/images"
    admin = await auth.headers("jinan-admin")
    text_file = await client.post(path, files={"file": ("photo.png", b"just some text", "image/png")}, headers=admin)
    assert text_file.status_code == 422
    assert "JPEG" in text_file.json()["detail"]
    too_big = b"\xff\xd8\xff" + b"\0" * (5 * 1024 * 1024)
    big = await client.post(path, files={"file": ("big.jpg", too_big)}, headers=admin)
    assert big.status_code == 422
    assert "5 MB" in big.json()["detail"]
    assert await count(context, "SELECT count(*) FROM case_images WHERE case_id = :c", c=case["id"]) == 0
    for n in range(1, 7):
        saved = await client.post(path, files={"file": (f"{n}.png", png())}, headers=admin)
        assert saved.json() == {"position": n, "mediaType": "image/png", "size": len(png())}
    seventh = await client.post(path, files={"file": ("7.png", png())}, headers=admin)
    assert seventh.status_code == 422
    got = await client.get(f"{path}/3", headers=await auth.headers("jinan-viewer"))
    assert got.status_code == 200
    assert got.headers["content-type"] == "image/png"
    assert got.content == png()
    assert (await client.get(f"{path}/7", headers=admin)).status_code in (400, 404)
    assert (await client.get(f"{CASES}/{case['id']}", headers=admin)).json()["images"] == 6


async def test_bad_input_names_the_field_and_writes_nothing(
    auth: Auth, client: httpx.AsyncClient, context: AppContext
) -> None:
    street = await create_street(client, auth)
    admin = await auth.headers("jinan-admin")
    for change, field in (
        ({"category": "party"}, "category"),
        ({"title": ""}, "title"),
        ({"figures": [{"label": "x"}]}, "value"),
    ):
        response = await client.post(CASES, json=case_body(street["id"], **change), headers=admin)
        assert response.status_code == 400, response.text
        assert field in response.text
    assert await count(context, "SELECT count(*) FROM cases WHERE street_id = :s", s=street["id"]) == 0


async def test_labels_name_the_categories(client: httpx.AsyncClient, auth: Auth) -> None:
    labels = (await client.get("/api/labels", headers=await auth.headers("jinan-admin"))).json()
    assert labels["caseCategory"]["youth"]["zh"] == "青年集聚"
    assert labels["caseStatus"]["published"]["zh"] == "已发布"


async def test_the_province_lists_only_accepted_and_published_cases(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    case = await draft(client, auth, street["id"])
    province = await auth.headers("province")
    listed = await client.get(PROVINCE, params={"limit": 1000}, headers=province)
    assert case["id"] not in [c["id"] for c in listed.json()]
    assert {c["status"] for c in listed.json()} <= {"accepted", "published"}
    refused = await client.get(PROVINCE, params={"status": "draft"}, headers=province)
    assert refused.status_code == 400
    assert "status" in refused.text
