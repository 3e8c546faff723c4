"""Shandong's 16 cities with their real districts and counties (GB/T 2260 codes) and local landmarks, as data in
shandong.yaml."""

from __future__ import annotations

from importlib import resources
from typing import Final

import msgspec
import msgspec.yaml


class District(msgspec.Struct, frozen=True):
    """A district (区), county (县) or county-level city (市) and its 6-digit division code."""

    code: str
    name: str


class City(msgspec.Struct, frozen=True, kw_only=True):
    """A prefecture-level city (地级市): tenant slug and code as in DESIGN.md, plus material for names.

    `nickname` is what locals call the city (泉城 for Jinan) and `landmarks` are well-known streets
    and quarters that a demo street can be named after.
    """

    slug: str
    code: str
    name_zh: str
    name_en: str
    nickname: str
    landmarks: tuple[str, ...]
    districts: tuple[District, ...]

    @property
    def short_zh(self) -> str:
        """济南 for 济南市: how the city is written inside company names."""
        return self.name_zh.removesuffix("市")


def _cities() -> tuple[City, ...]:
    """shandong.yaml's cities; each district there is written "code name"."""
    entries = msgspec.yaml.decode(resources.files(__package__).joinpath("shandong.yaml").read_bytes())
    return tuple(
        msgspec.convert(
            {**entry, "districts": [dict(zip(("code", "name"), d.split(), strict=True)) for d in entry["districts"]]},
            City,
        )
        for entry in entries
    )


CITIES: Final[tuple[City, ...]] = _cities()
"""Shandong's cities in code order, with every district and county (shandong.yaml)."""

CITIES_BY_SLUG: Final[dict[str, City]] = {city.slug: city for city in CITIES}


def city(slug: str) -> City:
    """The city with this tenant slug; KeyError names the slug when there is none."""
    try:
        return CITIES_BY_SLUG[slug]
    except KeyError:
        raise KeyError(f"no Shandong city with slug {slug!r}") from None


def district(code: str) -> District:
    """The district with this 6-digit code, in whichever city it is."""
    found = city_of_district(code)
    return next(d for d in found.districts if d.code == code)


def city_of_district(code: str) -> City:
    """The city a district code belongs to (by its first four digits)."""
    for candidate in CITIES:
        if code[:4] == candidate.code[:4] and any(d.code == code for d in candidate.districts):
            return candidate
    raise KeyError(f"no Shandong district with code {code!r}")
