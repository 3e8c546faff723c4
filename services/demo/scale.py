"""The national data set (全国规模数据) of ``jiequ seed --scale national``: 31 provinces, their prefecture-level
cities as tenants (the districts of the four municipalities), ~10,000 streets and ~1.5 million entities with
a year of data, generated like the demo (services.demo.generator) and loaded with COPY as the schema owner.

Divisions are the real ones (provinces.yaml: GB/T 2260 names and codes; for the municipalities their central
districts); tenant slugs are their pinyin, prefixed with the province's slug where two places share one. Street
districts inside a prefecture are plausible codes under the city's prefix, not a list of real counties.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import date
from importlib import resources
from typing import Final

import msgspec
import msgspec.yaml
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from infra.db import owner_transaction
from services.demo.generator import CityStreets
from services.demo.loading import Driver, Ids, Rows, bulk_load, start_load, vacuum
from services.demo.names import THEME_WORDS, EntityKind, Theme, demo_rng, person_name
from services.demo.plans import DEMO_SEED, PROFILES, Naming, Period, StreetPlan, periods, plan_streets
from services.tenancy.seed import seed_tenants
from tenants import calendar
from tenants.registry import SHANDONG, SHANDONG_CITIES, TenantInfo


class Place(msgspec.Struct, frozen=True):
    """A prefecture-level division (or a municipality's district): code, full and short name, pinyin."""

    code: str
    name_zh: str
    short: str
    pinyin: str


class Province(msgspec.Struct, frozen=True):
    """A provincial-level division and its cities."""

    code: str
    name_zh: str
    name_en: str
    slug: str
    places: tuple[Place, ...]


def _place(entry: str) -> Place:
    """A place as provinces.yaml writes it, "code name pinyin": the short name follows a slash where it is not
    the name without 市 or 区 (as in company names: 石家庄, 延边)."""
    code, name, pinyin = entry.split()
    full, _, short = name.partition("/")
    return Place(code, full, short or full.removesuffix("市").removesuffix("区"), pinyin)


def _provinces() -> tuple[Province, ...]:
    """The provinces of provinces.yaml and Shandong with the built-in cities, in code order."""
    entries = msgspec.yaml.decode(resources.files(__package__).joinpath("provinces.yaml").read_bytes())
    shandong = Province(
        SHANDONG.code,
        SHANDONG.name_zh,
        "Shandong",
        SHANDONG.slug,
        tuple(Place(city.code, city.name_zh, city.name_zh.removesuffix("市"), city.slug) for city in SHANDONG_CITIES),
    )
    provinces = [msgspec.convert({**p, "places": [_place(place) for place in p["places"]]}, Province) for p in entries]
    return tuple(sorted([*provinces, shandong], key=lambda province: province.code))


PROVINCES: Final[tuple[Province, ...]] = _provinces()

# Roads found in most Chinese cities, for addresses; with other common places, what a street is named after.
_ROADS: Final = (
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "文化路",
    "新华路",
    "和平路",
    "胜利路",
    "青年路",
    "花园路",
    "站前路",
    "滨河路",
)
_LANDMARKS: Final = (*_ROADS, "老街", "古城", "大学城", "高新区", "步行街", "科创园", "南门", "东关")
_COMPANY_TRADES: Final = ("科技有限公司", "商贸有限公司", "文化传媒有限公司", "电子商务有限公司", "餐饮管理有限公司")
_SHOPS: Final = ("餐饮店", "便利店", "小吃店", "服装店", "烘焙坊", "设计工作室")
_COOPERATIVES: Final = ("果蔬种植专业合作社", "畜禽养殖专业合作社", "茶叶种植专业合作社")


class NationalNaming:
    """Names in a city of the national data set: its short name with common places, trades and people's names."""

    def __init__(self, tenant: str, place: Place) -> None:
        self._tenant = tenant
        self.place = place
        # A municipality's district is itself the street's district; a prefecture has districts under its
        # prefix (…02 onwards: …01 is 市辖区, no place of its own).
        municipal = place.code[4:] != "00"
        self._districts = (place.code,) if municipal else tuple(f"{place.code[:4]}{n:02d}" for n in range(2, 10))

    @property
    def tenant(self) -> str:
        return self._tenant

    @property
    def districts(self) -> tuple[str, ...]:
        return self._districts

    def street_name(self, rng: random.Random, theme: Theme) -> str:
        return f"{self.place.short}{rng.choice(_LANDMARKS)}{rng.choice(THEME_WORDS[theme])}创业街区"

    def operator_name(self, rng: random.Random) -> str:
        return f"{self.place.short}{person_name(rng)[-2:]}街区运营管理有限公司"

    def entity_name(self, rng: random.Random, kind: EntityKind) -> str:
        # Trade names after a founder's (given) name, as many small businesses are registered.
        if kind == "individual":
            return f"{self.place.short}{person_name(rng)}{rng.choice(_SHOPS)}"
        if kind == "cooperative":
            return f"{self.place.short}{person_name(rng)[-2:]}{rng.choice(_COOPERATIVES)}"
        if kind == "other":
            return f"{self.place.short}{person_name(rng)[-2:]}创业服务中心"
        return f"{self.place.short}{person_name(rng)[-2:]}{rng.choice(_COMPANY_TRADES)}"

    def address(self, rng: random.Random, district: str) -> str:  # noqa: ARG002  # generated codes have no names
        return f"{self.place.name_zh}{rng.choice(_ROADS)}{rng.randint(1, 299)}号"


class NationalScale(msgspec.Struct, frozen=True, kw_only=True):
    """How much to generate: the first `provinces` by code, `cities` of each (None: all), streets per city."""

    provinces: int = len(PROVINCES)
    cities: int | None = None
    streets_per_city: tuple[int, int] = (20, 35)


class NationalCity(msgspec.Struct, frozen=True):
    """A city tenant of the national data set and how its names are made."""

    tenant: TenantInfo
    naming: Naming


def national_cities(provinces: Sequence[Province], cities: int | None = None) -> list[tuple[Province, NationalCity]]:
    """Each province's city tenants: Shandong's are the built-in ones (named like the others: the demo's
    landmarks are too few for a national city's streets); elsewhere the slug is the pinyin,
    or ``{province}_{pinyin}`` when a province or an earlier city already has it (朝阳区 and 朝阳市)."""
    taken = {p.slug for p in PROVINCES} | {c.slug for c in SHANDONG_CITIES}
    made = []
    for province in provinces:
        for place in province.places[:cities]:
            if province.slug == SHANDONG.slug:
                info = next(c for c in SHANDONG_CITIES if c.code == place.code)
            else:
                slug = place.pinyin if place.pinyin not in taken else f"{province.slug}_{place.pinyin}"
                taken.add(slug)
                info = TenantInfo(
                    slug=slug,
                    code=place.code,
                    name_zh=place.name_zh,
                    name_en=place.pinyin.title(),
                    parent=province.slug,
                )
            made.append((province, NationalCity(info, NationalNaming(info.slug, place))))
    return made


_STATUSES: Final = ("applied", "recommended", "pilot", "designated")
_STATUS_WEIGHTS: Final = (70, 10, 8, 12)


def national_plans(rng: random.Random, city: NationalCity, scale: NationalScale) -> list[StreetPlan]:
    """A city's streets: profiles in their national shares (half exemplary), statuses mostly applied."""
    count = rng.randint(*scale.streets_per_city)
    profiles = rng.choices(PROFILES, weights=[p.weight for p in PROFILES], k=count)
    return plan_streets(rng, city.naming, profiles, rng.choices(_STATUSES, weights=_STATUS_WEIGHTS, k=count))


def _city_rows(ids: Ids, city: NationalCity, spans: Sequence[Period], scale: NationalScale) -> Rows:
    rng, rows = demo_rng(DEMO_SEED, city.tenant.slug, "national"), Rows()
    streets = CityStreets(rows, ids, rng, city.naming, spans)
    for plan in national_plans(rng, city, scale):
        streets.add(plan)
    return rows


async def _made_ahead(
    ids: Ids, cities: Sequence[NationalCity], spans: Sequence[Period], scale: NationalScale
) -> AsyncIterator[Rows]:
    """Each city's rows, the next city's being made in a thread while the caller copies these."""
    if not cities:
        return
    coming = asyncio.ensure_future(asyncio.to_thread(_city_rows, ids, cities[0], spans, scale))
    for city in cities[1:]:
        rows = await coming
        coming = asyncio.ensure_future(asyncio.to_thread(_city_rows, ids, city, spans, scale))
        yield rows
    yield await coming


async def _load(
    connection: Driver,
    ids: Ids,
    todo: Sequence[tuple[Province, NationalCity]],
    spans: Sequence[Period],
    scale: NationalScale,
    report: Callable[[str], None],
) -> Counter[str]:
    """Copy the cities' rows, reporting each province when its last city is in."""
    totals: Counter[str] = Counter()
    loaded: Counter[str] = Counter()
    cities = _made_ahead(ids, [city for _, city in todo], spans, scale)
    for n, (province, _) in enumerate(todo):
        rows = await anext(cities)
        await rows.copy(connection)
        loaded.update(rows.counts())
        if n + 1 == len(todo) or todo[n + 1][0] != province:
            report(
                f"{province.name_zh} {province.slug}: {loaded['streets']:,} streets, "
                f"{loaded['entities']:,} entities, {loaded['ledger_visits']:,} visits"
            )
            totals.update(loaded)
            loaded.clear()
    return totals


async def seed_national(
    sessions: async_sessionmaker[AsyncSession],
    *,
    scale: NationalScale | None = None,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Create the provinces and city tenants and load the streets of every city that has none yet.

    The load is one transaction: all or nothing, and a second run after either adds nothing. It holds the
    street tables exclusively while it runs (maintenance, not for a database in use). A city's rows are
    made in a thread while the previous city's are copied, so Python and the server work at once, and
    memory holds two cities at most. Returns the rows loaded per table.
    """
    scale = scale or NationalScale()
    report = progress or (lambda _: None)
    started = time.monotonic()
    provinces = PROVINCES[: scale.provinces]
    cities = national_cities(provinces, scale.cities)
    async with owner_transaction(sessions) as session:
        await seed_tenants(
            session,
            [
                *(TenantInfo(slug=p.slug, code=p.code, name_zh=p.name_zh, name_en=p.name_en) for p in provinces),
                *(city.tenant for _, city in cities),
            ],
        )
    spans = periods(today or calendar.today(), this_year=False)
    totals: Counter[str] = Counter()
    async with owner_transaction(sessions) as session:
        connection, ids = await start_load(session)
        seeded = {row[0] for row in await connection.fetch("SELECT DISTINCT tenant_id FROM streets")}
        todo = [(province, city) for province, city in cities if city.tenant.slug not in seeded]
        if todo:
            async with bulk_load(connection):
                totals = await _load(
                    connection,
                    ids,
                    todo,
                    spans,
                    scale,
                    lambda line: report(f"{line} ({time.monotonic() - started:.0f} s)"),
                )
                report(f"restoring foreign keys and indexes ({time.monotonic() - started:.0f} s)")
        await ids.release(connection)
    if todo:
        report(f"vacuuming ({time.monotonic() - started:.0f} s)")
        await vacuum(sessions)
    report(
        f"全国数据已载入 / national data loaded: {totals['streets']:,} streets, {totals['entities']:,} entities, "
        f"{sum(totals.values()):,} rows in {time.monotonic() - started:.0f} s"
    )
    return {table: count for table, count in totals.items() if count}
