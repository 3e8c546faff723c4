"""What the demo and the national data set generate: street profiles, the spans of a year with records, how a
city's names are made, and the plan of each street."""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, Final, Protocol

import msgspec

from services.demo.names import (
    THEME_WORDS,
    EntityKind,
    Theme,
    address,
    distinct,
    entity_name,
    operator_name,
    street_name,
)
from services.demo.places import City

DEMO_SEED: Final = 2024
"""The seed of every demo generator: the same demo on every machine."""

BASELINE_THEMES: Final[tuple[Theme, ...]] = ("graduates", "returnees", "veterans", "industry_chain")
"""The themes the baseline accepts (POLICY.md 二(二), rules/baseline)."""


class Profile(msgspec.Struct, frozen=True, kw_only=True):
    """The shape of a generated street's data. The defaults meet every baseline criterion with a margin.

    Entity shares and satisfaction are met exactly (counts are rounded, not drawn); follow-up visits are
    drawn with the on-time chance, over the hundreds of due dates of a street, so the share stays within a
    point or two of it. Yearly numbers (activities, responses) are scaled down for a part year.
    """

    name: str
    weight: float
    """The profile's share of the streets of the national data set."""
    entities: tuple[int, int] = (110, 180)
    operating: float = 0.92
    classified: float = 1.0
    on_ledger: float = 1.0
    on_time: float = 0.96
    """The chance that a due follow-up visit is made in its window."""
    staff: tuple[int, int] = (2, 6)
    one_stop: bool = True
    platform: bool = True
    themes: tuple[Theme, ...] = BASELINE_THEMES
    positions: tuple[int, int] = (1, 6)
    activities: tuple[int, int] = (12, 30)
    responses: tuple[int, int] = (40, 120)
    satisfied: float = 0.95
    practices: tuple[int, int] = (1, 3)


EXEMPLARY: Final = Profile(name="exemplary", weight=0.5)
LATE_FOLLOWUPS: Final = Profile(name="late_followups", weight=0.08, on_time=0.7, practices=(0, 0))
"""Meets every required criterion but neither advisory one (followup_on_time, replicable_practice)."""
FAILING: Final[tuple[Profile, ...]] = (
    Profile(name="few_entities", weight=0.04, entities=(60, 95)),
    Profile(name="low_satisfaction", weight=0.04, satisfied=0.78),
    Profile(name="few_activities", weight=0.04, activities=(4, 8)),
    Profile(name="short_staffed", weight=0.04, staff=(1, 1)),
    Profile(name="ledger_gaps", weight=0.04, on_ledger=0.85, on_time=0.85),
    Profile(name="unclassified", weight=0.04, classified=0.93),
    Profile(name="dormant", weight=0.04, operating=0.7),
    Profile(name="small_survey", weight=0.04, responses=(10, 25)),
    Profile(name="off_theme", weight=0.04, themes=("culture_tourism", "other")),
    Profile(name="no_internships", weight=0.04, positions=(0, 0)),
    Profile(name="no_platform", weight=0.04, platform=False),
)
"""One profile per baseline criterion it misses; small_survey has too few answers, so satisfaction is "no data"."""
PROFILES: Final = (EXEMPLARY, LATE_FOLLOWUPS, *FAILING)


class Period(msgspec.Struct, frozen=True):
    """A calendar year's span with records: 1 January to `through`, and how many months have a report."""

    first: date
    through: date
    report_months: int

    @property
    def days(self) -> int:
        return (self.through - self.first).days + 1

    @property
    def fraction(self) -> float:
        """How much of a whole year the span is: yearly numbers are scaled by it."""
        return self.days / 365

    def day(self, rng: random.Random) -> date:
        return self.first + timedelta(days=rng.randrange(self.days))


def periods(today: date, *, this_year: bool) -> tuple[Period, ...]:
    """Last year in full, and with `this_year` the current year up to yesterday (reports up to last month)."""
    last = Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31), 12)
    current = Period(date(today.year, 1, 1), today - timedelta(days=1), today.month - 1)
    return (last, current) if this_year and current.days > 0 else (last,)


class Naming(Protocol):
    """How one city's names are made: Shandong's from services.demo.names, other provinces' in scale."""

    @property
    def tenant(self) -> str: ...

    @property
    def districts(self) -> tuple[str, ...]: ...

    def street_name(self, rng: random.Random, theme: Theme) -> str: ...

    def operator_name(self, rng: random.Random) -> str: ...

    def entity_name(self, rng: random.Random, kind: EntityKind) -> str: ...

    def address(self, rng: random.Random, district: str) -> str: ...


class ShandongNaming:
    """Names of a Shandong city: its landmarks, districts and nickname (services.demo.names)."""

    def __init__(self, city: City) -> None:
        self.city = city

    @property
    def tenant(self) -> str:
        return self.city.slug

    @property
    def districts(self) -> tuple[str, ...]:
        return tuple(d.code for d in self.city.districts)

    def street_name(self, rng: random.Random, theme: Theme) -> str:
        return street_name(rng, self.city.slug, theme)

    def operator_name(self, rng: random.Random) -> str:
        return operator_name(rng, self.city.slug)

    def entity_name(self, rng: random.Random, kind: EntityKind) -> str:
        return entity_name(rng, self.city.slug, kind)

    def address(self, rng: random.Random, district: str) -> str:
        return address(rng, district)


class StreetPlan(msgspec.Struct, frozen=True, kw_only=True):
    """One street to generate: its name, district, theme, status, profile and who submits its reports."""

    name: str
    district: str
    theme: Theme
    status: str
    profile: Profile
    operator_user: str
    custom_fields: dict[str, Any] = msgspec.field(default_factory=dict)


def plan_streets(
    rng: random.Random, naming: Naming, profiles: Sequence[Profile], statuses: Sequence[str]
) -> list[StreetPlan]:
    """Streets of one city with these profiles and statuses; names are distinct within the city.

    Names are drawn per theme: the theme words differ between themes, so names of different themes never
    meet, and `distinct` needs only the count of each theme.
    """
    themes = [rng.choice(p.themes) for p in profiles]
    names = {
        theme: iter(distinct(functools.partial(naming.street_name, rng, theme), themes.count(theme)))
        for theme in THEME_WORDS
    }
    return [
        StreetPlan(
            name=next(names[theme]),
            district=rng.choice(naming.districts),
            theme=theme,
            status=status,
            profile=profile,
            operator_user=f"{naming.tenant}-op-{n}",
        )
        for n, (profile, theme, status) in enumerate(zip(profiles, themes, statuses, strict=True), start=1)
    ]
