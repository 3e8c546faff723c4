"""Coded values show in the page's language (their labels: tests/labels); numbers and dates read as in China."""

from __future__ import annotations

import datetime as dt
import re

from services.labels.labels import LABELS
from services.web.labels import label
from services.web.render import TEMPLATES, day, district_name, number, percent


def test_label_picks_the_language_and_shows_an_unknown_code_as_itself() -> None:
    assert label("streetStatus", "designated") == "省级创业街区"
    assert label("streetStatus", "designated", "en") == "designated"
    assert label("streetStatus", "something_new") == "something_new"
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


def test_every_kind_the_templates_name_has_labels() -> None:
    # An unknown kind would show raw codes (``policy_consultation``) where a person expects 政策咨询.
    named = {
        (path.name, kind)
        for path in TEMPLATES.rglob("*.html")
        for kind in re.findall(r"\b(?:label|choices|badge)\(\"(\w+)\"", path.read_text(encoding="utf-8"))
    }
    assert named
    assert {(name, kind) for name, kind in named if kind not in LABELS} == set()
