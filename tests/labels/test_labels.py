"""``GET /api/labels``: every code of every coded type has a Chinese and an English label."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from typing import Any

import httpx
import msgspec
import pytest

import services
from services.labels import service
from services.labels.labels import LABELS, import_choices, label
from services.notifications import messages
from services.text import Text
from tests.conftest import Auth


def _schema_structs() -> Iterator[type[msgspec.Struct]]:
    """Every Struct defined in a ``services.<domain>.schemas`` module: the API's shapes."""
    for module_info in pkgutil.iter_modules(services.__path__):
        try:
            module = importlib.import_module(f"services.{module_info.name}.schemas")
        except ModuleNotFoundError:
            continue
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, msgspec.Struct) and value.__module__ == module.__name__:
                yield value


def _literals(info: msgspec.inspect.Type, seen: set[type]) -> Iterator[frozenset[Any]]:
    """The value sets of every Literal reachable from `info`, through unions, containers and Structs."""
    if isinstance(info, msgspec.inspect.LiteralType):
        yield frozenset(info.values)
        return
    if isinstance(info, msgspec.inspect.StructType):
        if info.cls in seen:
            return
        seen.add(info.cls)
        for field in info.fields:
            yield from _literals(field.type, seen)
        return
    for name in ("type", "item_type", "key_type", "value_type"):
        inner = getattr(info, name, None)
        if isinstance(inner, msgspec.inspect.Type):
            yield from _literals(inner, seen)
    for inner in getattr(info, "types", ()) or ():
        yield from _literals(inner, seen)
    for inner in getattr(info, "item_types", ()) or ():
        yield from _literals(inner, seen)


def test_every_literal_used_in_a_schema_has_labels() -> None:
    structs = list(_schema_structs())
    assert len(structs) > 40  # the walk found the API's shapes
    found: set[frozenset[Any]] = set()
    seen: set[type] = set()
    for struct in structs:
        found.update(_literals(msgspec.inspect.type_info(struct), seen))
    labelled = [frozenset(codes) for codes in service.CODES.values()]
    # Entity classes, street statuses, assessment outcomes, criterion levels at least are among them.
    assert {frozenset(("brand", "growth", "startup")), frozenset(("pass", "fail", "incomplete"))} <= found
    unlabelled = [sorted(values) for values in found if not any(values <= codes for codes in labelled)]
    assert unlabelled == []


def test_every_code_has_a_label_and_no_label_is_stale() -> None:
    labels = service.all_labels()
    assert set(labels) == set(service.CODES) == set(LABELS)
    for enum, codes in service.CODES.items():
        assert set(LABELS[enum]) == set(codes), enum
        for code in codes:
            assert labels[enum][code].zh.strip(), (enum, code)
            assert labels[enum][code].en.strip(), (enum, code)


def test_a_new_code_without_a_label_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(service.CODES, "entityClass", ("brand", "growth", "startup", "unicorn"))
    with pytest.raises(KeyError, match="unicorn"):
        service.all_labels()


def test_every_notification_kind_sent_has_a_label() -> None:
    day = dt.date(2025, 3, 1)
    sent = [
        messages.report_missing("reminder", 1, "泉城街区", day, day, 5),
        messages.report_missing("escalation", 1, "泉城街区", day, day, 5),
        messages.followups_overdue([("泉城街区", 2)], 2, 1),
        messages.followup_escalation(1, "泉城街区", 2, "泉城科技", day, 30, 31),
        *(
            messages.notice(kind, 1, "泉城街区", 2025, day)
            for kind in ("designated", "rectification", "retained", "revoked")
        ),
        messages.settings_notice(2025, "申报窗口有误 / the window is invalid"),
        messages.audit_broken("济南市", Text("第 3 行", "row 3")),
        messages.revocation_proposed(1, "泉城街区", ("济南市", "Jinan"), 2025),
        messages.claims_unverified(1, "泉城街区", [Text("独立法人资格", "independent legal person")]),
    ]
    assert {message.kind for message in sent} == set(service.CODES["notificationKind"])


def test_import_choices_put_the_chinese_label_first_and_refuse_an_alias_to_nothing() -> None:
    choices = import_choices("entityClass", {"初创": "startup"})
    assert list(choices)[:3] == ["初创企业", "成长型企业", "品牌企业"]
    assert choices["初创"] == choices["startup"] == "startup"
    with pytest.raises(ValueError, match="unicorn"):
        import_choices("entityClass", {"独角兽": "unicorn"})
    assert label("role", "department_viewer").zh == "部门只读"
    assert label("role", "someone_new").zh == "someone_new"


@pytest.mark.parametrize("username", ["jinan-admin", "jinan-case", "jinan-viewer", "qingdao-admin", "province"])
async def test_any_signed_in_user_reads_the_labels(auth: Auth, client: httpx.AsyncClient, username: str) -> None:
    response = await client.get("/api/labels", headers=await auth.headers(username))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["entityClass"] == {
        "brand": {"zh": "品牌企业", "en": "brand"},
        "growth": {"zh": "成长型企业", "en": "growth"},
        "startup": {"zh": "初创企业", "en": "startup"},
    }
    assert body["role"]["department_viewer"] == {"zh": "部门只读", "en": "department viewer"}
    assert body["criterionResult"]["no_data"]["zh"] == "无数据"
    assert body["assessmentOutcome"]["incomplete"]["zh"] == "数据不全"
    assert set(body) == set(service.CODES)
    for enum, codes in service.CODES.items():
        assert list(body[enum]) == list(codes)


async def test_signed_out_callers_get_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/labels")
    assert response.status_code == 401


async def test_the_route_is_documented(client: httpx.AsyncClient) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    operation = document["paths"]["/api/labels"]["get"]
    assert operation["summary"].startswith("代码值的中英文名称")
