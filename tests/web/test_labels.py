"""Coded values show in the page's language (their labels: tests/labels); numbers and dates read as in China."""

from __future__ import annotations

import datetime as dt

from services.web.labels import label
from services.web.render import day, district_name, number, percent


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
