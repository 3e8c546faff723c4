"""Every coded value the pages show has a Chinese and an English name; numbers and dates read as in China."""

from __future__ import annotations

import datetime as dt
from typing import Any, get_args

import pytest

from rules.criteria import Level, Origin
from rules.verdict import Outcome, Result
from services.activities.schemas import ActivityKind
from services.assessments.schemas import Kind
from services.entities.schemas import EntityClass, EntityKind, FounderGroup
from services.ledger.schemas import LedgerStatus, Need
from services.streets.schemas import CenterService, StreetStatus, Theme
from services.web.labels import LABELS, label
from services.web.render import day, district_name, number, percent
from tenants.context import Role

CODED: dict[str, Any] = {
    "theme": Theme,
    "street_status": StreetStatus,
    "center_service": CenterService,
    "entity_kind": EntityKind,
    "entity_class": EntityClass,
    "founder_group": FounderGroup,
    "activity_kind": ActivityKind,
    "need": Need,
    "ledger_status": LedgerStatus,
    "outcome": Outcome,
    "result": Result,
    "assessment_kind": Kind,
    "level": Level,
    "origin": Origin,
}


@pytest.mark.parametrize("kind", sorted(CODED))
def test_every_code_of_the_schemas_has_both_names(kind: str) -> None:
    codes = set(get_args(CODED[kind]))
    assert set(LABELS[kind]) == codes
    for code in codes:
        text = LABELS[kind][code]
        assert text.zh
        assert text.en
        assert text.zh != code


def test_every_role_has_both_names() -> None:
    assert set(LABELS["role"]) == {str(role) for role in Role}


def test_label_picks_the_language_and_shows_an_unknown_code_as_itself() -> None:
    assert label("street_status", "designated") == "已认定"
    assert label("street_status", "designated", "en") == "Designated"
    assert label("street_status", "something_new") == "something_new"
    assert label("theme", None) == "—"


def test_numbers_dates_and_shares() -> None:
    assert number(1234567) == "1,234,567"
    assert number(None) == "—"
    assert percent(0.875) == "87.5%"
    assert percent(None) == "—"
    assert day(dt.date(2025, 3, 1)) == "2025-03-01"
    # 20:30 UTC is the next morning in China.
    assert day(dt.datetime(2025, 3, 1, 20, 30, tzinfo=dt.UTC)) == "2025-03-02"
    assert district_name("370102") == "历下区"
    assert district_name("999999") == "999999"
