"""Helpers shared by the street-data tests: unique USCCs and names, streets made through the API, operator
users; and the ``jinan_operator`` fixture (a plugin, declared in tests/conftest.py)."""

from __future__ import annotations

import io
import itertools
import random
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, NamedTuple

import httpx
import openpyxl
import pytest
from litestar import Litestar
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from infra.db import owner_transaction
from services.attestations.claims import claim_values
from services.context import AppContext
from services.models import Attestation, Entity, LedgerEntry, LedgerVisit, Operator, Street
from services.models.base import utcnow
from services.shared.uscc import SERIAL_LIMIT, make_uscc
from services.tenancy.seed import seed_users
from tenants.context import Role
from tests.conftest import PASSWORD, Auth, api_client

# Random start so that a rerun against a kept database (JIEQU_TEST_DATABASE_URL) does not collide.
_SERIALS = itertools.count(random.randrange(SERIAL_LIMIT // 2))
DISTRICTS = {
    "jinan": "370102",
    "qingdao": "370202",
    "zibo": "370303",
    "weihai": "371002",
    "linyi": "371302",
    "zaozhuang": "370402",
}


def new_uscc(division: str = "370102", authority: str = "9", kind: str = "1") -> str:
    """A valid 统一社会信用代码 no other test uses."""
    return make_uscc(authority, kind, division, next(_SERIALS))


def bad_check_digit(code: str) -> str:
    """`code` with its check character (position 18) changed."""
    return code[:17] + ("0" if code[17] != "0" else "1")


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def verified_claims(street_id: int | None, operator: Operator) -> list[Attestation]:
    """The city admin's verification of each claim `operator` makes, as rows to add for a street made without
    the API (one made by the city admin through the API has its claims verified already)."""
    assert street_id is not None  # a flushed street has its id
    tenant = operator.tenant_id
    return [
        Attestation(
            tenant_id=tenant,
            street_id=street_id,
            claim=claim,
            value=value,
            status="verified",
            verified_by=f"{tenant}-admin",
            verified_at=utcnow(),
        )
        for claim, value in claim_values(operator).items()
        if value is not None
    ]


def attesting_operator(tenant: str, name: str, uscc: str, platform_url: str) -> Operator:
    """An operator row that is a legal person with a clean record and a digital platform at `platform_url`."""
    return Operator(
        tenant_id=tenant,
        name=name,
        uscc=uscc,
        legal_person=True,
        clean_record=True,
        digital_platform_url=platform_url,
    )


def operating_entity(
    tenant: str, street_id: int, name: str, uscc: str, joined_on: date, *, employees: int, entity_class: str = "startup"
) -> Entity:
    """An entity row: an operating enterprise founded by graduates, in the street since `joined_on`."""
    return Entity(
        tenant_id=tenant,
        street_id=street_id,
        name=name,
        uscc=uscc,
        kind="enterprise",
        entity_class=entity_class,
        founder_group="graduate",
        employees=employees,
        operating=True,
        joined_on=joined_on,
    )


def street_body(tenant: str = "jinan", **overrides: Any) -> dict[str, Any]:
    """A complete StreetCreate body for `tenant` with a unique name and operator USCC."""
    body: dict[str, Any] = {
        "name": unique("芙蓉街创业街区"),
        "district": DISTRICTS[tenant],
        "theme": "graduates",
        "operator": {
            "name": unique("济南泉城创业运营有限公司"),
            "uscc": new_uscc(DISTRICTS[tenant]),
            "legalPerson": True,
            "cleanRecord": True,
            "digitalPlatformUrl": "https://jiequ.example.cn/platform",
        },
        "center": {
            "fixedSite": True,
            "address": "济南市历下区芙蓉街88号",
            "staff": [
                {"name": "王晓涵", "role": "创业指导师", "fullTime": True},
                {"name": "孔磊", "role": "政策专员", "fullTime": False},
            ],
            "services": ["policy_consultation", "mentoring", "training"],
        },
        "customFields": {},
        "replicablePractices": 1,
    }
    body.update(overrides)
    return body


async def create_street(
    client: httpx.AsyncClient, auth: Auth, tenant: str = "jinan", **overrides: Any
) -> dict[str, Any]:
    """A street made by the city admin through the API."""
    response = await client.post(
        f"/api/tenants/{tenant}/streets",
        json=street_body(tenant, **overrides),
        headers=await auth.headers(f"{tenant}-admin"),
    )
    assert response.status_code == 201, response.text
    street: dict[str, Any] = response.json()
    return street


ENTITY_HEADER_ZH = [
    "实体名称",
    "统一社会信用代码",
    "实体类型",
    "实体分类",
    "创业者群体",
    "成立日期",
    "从业人数",
    "是否正常经营",
    "入驻日期",
    "退出日期",
]
"""An entity import's columns as the template names them, in its order."""
ENTITY_FIELDS = [
    "name",
    "uscc",
    "kind",
    "class",
    "founderGroup",
    "foundedOn",
    "employees",
    "operating",
    "joinedOn",
    "leftOn",
]
"""The same columns by the API's field names (an entity's fields, besides its id)."""


def entity_body(division: str = "370102", **overrides: Any) -> dict[str, Any]:
    """A complete EntityCreate body with a unique USCC."""
    body: dict[str, Any] = {
        "name": unique("济南青创电子商务有限公司"),
        "uscc": new_uscc(division),
        "kind": "enterprise",
        "class": "startup",
        "founderGroup": "graduate",
        "foundedOn": "2023-06-01",
        "employees": 5,
        "operating": True,
        "joinedOn": "2023-07-01",
        "leftOn": None,
    }
    body.update(overrides)
    return body


async def create_entity(
    client: httpx.AsyncClient, auth: Auth, street_id: int, tenant: str = "jinan", **overrides: Any
) -> dict[str, Any]:
    """An entity registered by the city admin through the API."""
    response = await client.post(
        f"/api/tenants/{tenant}/streets/{street_id}/entities",
        json=entity_body(DISTRICTS[tenant], **overrides),
        headers=await auth.headers(f"{tenant}-admin"),
    )
    assert response.status_code == 201, response.text
    entity: dict[str, Any] = response.json()
    return entity


class StreetUser(NamedTuple):
    """An operator user and the street it runs."""

    username: str
    tenant: str
    street_id: int


_OPERATORS: dict[tuple[str, str], StreetUser] = {}


async def operator_of(app: Litestar, context: AppContext, auth: Auth, tenant: str, key: str) -> StreetUser:
    """A street of `tenant` and its operator user, made once per (tenant, key) for the whole session."""
    if (tenant, key) not in _OPERATORS:
        async with api_client(app) as client:
            street = await create_street(client, auth, tenant)
        username = unique(f"{tenant}-op-{key}-")
        async with owner_transaction(context.sessions) as session:
            await seed_users(
                session, [(username, tenant, Role.OPERATOR)], PASSWORD, street_ids={username: street["id"]}
            )
        _OPERATORS[(tenant, key)] = StreetUser(username, tenant, street["id"])
    return _OPERATORS[(tenant, key)]


def row_id(row: Street | Entity | LedgerEntry) -> int:
    """The id of a row written as the schema owner, once flushed."""
    assert row.id is not None  # flushed rows have their ids
    return row.id


async def add_ledger(
    session: AsyncSession, entity: Entity, opened_on: date, visits: Iterable[date], caseworker: str
) -> None:
    """A ledger entry for the (flushed) entity opened on `opened_on`, with a visit by `caseworker` on each day."""
    entry = LedgerEntry(
        tenant_id=entity.tenant_id,
        street_id=entity.street_id,
        entity_id=row_id(entity),
        need="policy",
        opened_on=opened_on,
    )
    session.add(entry)
    await session.flush()
    session.add_all(
        LedgerVisit(
            tenant_id=entity.tenant_id,
            entry_id=row_id(entry),
            entity_id=row_id(entity),
            street_id=entity.street_id,
            visited_on=day,
            caseworker=caseworker,
        )
        for day in visits
    )


async def count(context: AppContext, sql: str, **params: Any) -> int:
    """A count as the schema owner, past row-level security: what is really in the database."""
    async with owner_transaction(context.sessions) as session:
        return int((await session.execute(text(sql), params)).scalar_one())


async def audit_rows(
    client: httpx.AsyncClient, auth: Auth, tenant: str, action: str, object_id: object | None = None
) -> list[dict[str, Any]]:
    """The tenant's audit rows of `action` (on `object_id` when given), newest first."""
    response = await client.get(
        f"/api/tenants/{tenant}/audit", params={"limit": 1000}, headers=await auth.headers(f"{tenant}-admin")
    )
    assert response.status_code == 200, response.text
    return [
        row
        for row in response.json()
        if row["action"] == action and (object_id is None or row["objectId"] == str(object_id))
    ]


def resource_path(resource: str) -> Callable[..., str]:
    """``path(street_id, tenant="jinan")`` → ``/api/tenants/{tenant}/streets/{street_id}/{resource}``."""

    def path(street_id: int, tenant: str = "jinan") -> str:
        return f"/api/tenants/{tenant}/streets/{street_id}/{resource}"

    return path


async def assert_refused_on_a_new_street(
    client: httpx.AsyncClient,
    auth: Auth,
    context: AppContext,
    resource: str,
    body: dict[str, Any],
    status: int,
    field: str,
    table: str,
) -> None:
    """The city admin POSTs `body` to a new street's `resource`: `status`, the answer names `field`, and
    `table` holds no row of that street."""
    street = await create_street(client, auth)
    response = await client.post(
        resource_path(resource)(street["id"]), json=body, headers=await auth.headers("jinan-admin")
    )
    assert response.status_code == status, response.text
    assert field in response.text
    assert await count(context, f"SELECT count(*) FROM {table} WHERE street_id = :s", s=street["id"]) == 0  # noqa: S608


READ_ONLY_USERS = ("jinan-case", "jinan-viewer", "province", "province-viewer")
"""Users who read Jinan's street data but may not write it."""


async def statuses(
    client: httpx.AsyncClient,
    auth: Auth,
    usernames: Sequence[str],
    method: str,
    path: str,
    json: Any = None,
) -> dict[str, int]:
    """The status each user gets for the same request (compare with ``dict.fromkeys(usernames, 403)``)."""
    result: dict[str, int] = {}
    for username in usernames:
        response = await client.request(method, path, json=json, headers=await auth.headers(username))
        result[username] = response.status_code
    return result


async def assert_street_scoped_rules(
    client: httpx.AsyncClient, auth: Auth, resource: str, body: Callable[[], dict[str, Any]], operator: StreetUser
) -> None:
    """What every ``…/streets/{id}/<resource>`` route obeys: the city reads, only the city admin and the
    street's own operator write, and another city or another street answers 404."""
    street = await create_street(client, auth)
    path = f"/api/tenants/jinan/streets/{street['id']}/{resource}"
    assert await statuses(client, auth, READ_ONLY_USERS, "POST", path, body()) == dict.fromkeys(READ_ONLY_USERS, 403)
    assert await statuses(client, auth, READ_ONLY_USERS, "GET", path) == dict.fromkeys(READ_ONLY_USERS, 200)
    qingdao = ["qingdao-admin"]
    assert await statuses(client, auth, qingdao, "POST", path, body()) == {"qingdao-admin": 404}
    assert await statuses(client, auth, qingdao, "GET", path) == {"qingdao-admin": 404}
    assert await statuses(client, auth, qingdao, "GET", path.replace("/jinan/", "/qingdao/")) == {"qingdao-admin": 404}
    mine = [operator.username]
    assert await statuses(client, auth, mine, "POST", path, body()) == {operator.username: 404}
    assert await statuses(client, auth, mine, "GET", path) == {operator.username: 404}
    own = f"/api/tenants/jinan/streets/{operator.street_id}/{resource}"
    assert await statuses(client, auth, mine, "POST", own, body()) == {operator.username: 201}
    assert await statuses(client, auth, mine, "GET", own) == {operator.username: 200}


async def record_street_data(
    client: httpx.AsyncClient,
    auth: Auth,
    tenant: str,
    street_id: int,
    records: Iterable[tuple[str, dict[str, Any]]],
    financed: dict[str, Any],
) -> None:
    """The city admin POSTs each ``(resource, body)`` of `records` under the street, then puts the entity
    `financed` on the ledger with a loans need."""
    headers = await auth.headers(f"{tenant}-admin")
    for resource, body in records:
        response = await client.post(
            f"/api/tenants/{tenant}/streets/{street_id}/{resource}", headers=headers, json=body
        )
        assert response.status_code == 201, response.text
    ledger = await client.post(
        f"/api/tenants/{tenant}/ledger",
        headers=headers,
        json={"entityId": financed["id"], "need": "loans_financing", "action": "对接创业担保贷款"},
    )
    assert ledger.status_code == 201, ledger.text


async def import_file(
    client: httpx.AsyncClient,
    auth: Auth,
    resource: str,
    street_id: int,
    content: bytes,
    filename: str,
    username: str | None = None,
    tenant: str = "jinan",
) -> httpx.Response:
    """`username` (the city admin unless given) imports the file `filename` holding `content` into the street's
    `resource` (``…/streets/{street_id}/{resource}/import``)."""
    return await client.post(
        f"{resource_path(resource)(street_id, tenant)}/import",
        files={"file": (filename, content)},
        headers=await auth.headers(username or f"{tenant}-admin"),
    )


async def assert_import_refused(
    client: httpx.AsyncClient,
    auth: Auth,
    context: AppContext,
    resource: str,
    street_id: int,
    rows: Sequence[Sequence[object]],
    errors: set[tuple[int, str]],
    table: str,
) -> None:
    """The city admin imports `rows` as a CSV into the street's `resource`: 422 naming exactly the
    ``(row, column)`` `errors`, and `table` holds no row of that street (all or nothing)."""
    response = await import_file(client, auth, resource, street_id, csv_file(rows), "a.csv")
    assert response.status_code == 422, response.text
    assert {(e["row"], e["column"]) for e in response.json()["errors"]} == errors
    assert await count(context, f"SELECT count(*) FROM {table} WHERE street_id = :s", s=street_id) == 0  # noqa: S608


def csv_file(rows: Sequence[Sequence[object]], encoding: str = "utf-8-sig") -> bytes:
    return "\r\n".join(",".join("" if v is None else str(v) for v in row) for row in rows).encode(encoding)


def xlsx_file(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
async def jinan_operator(app: Litestar, context: AppContext, auth: Auth, request: pytest.FixtureRequest) -> StreetUser:
    """An operator user of a Jinan street, one per test folder."""
    return await operator_of(app, context, auth, "jinan", request.path.parent.name)
