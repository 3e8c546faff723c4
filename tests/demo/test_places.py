"""Shandong's cities and districts: the tenants of DESIGN.md, real district codes under each city."""

import re

import pytest

from services.demo.places import CITIES, City, city, city_of_district, district

# Slugs and codes as DESIGN.md lists the city tenants.
DESIGN_CITIES = {
    "jinan": "370100",
    "qingdao": "370200",
    "zibo": "370300",
    "zaozhuang": "370400",
    "dongying": "370500",
    "yantai": "370600",
    "weifang": "370700",
    "jining": "370800",
    "taian": "370900",
    "weihai": "371000",
    "rizhao": "371100",
    "linyi": "371300",
    "dezhou": "371400",
    "liaocheng": "371500",
    "binzhou": "371600",
    "heze": "371700",
}


def test_the_sixteen_city_tenants() -> None:
    assert {c.slug: c.code for c in CITIES} == DESIGN_CITIES


@pytest.mark.parametrize("place", CITIES, ids=lambda c: c.slug)
def test_districts_belong_to_their_city(place: City) -> None:
    assert len(place.districts) >= 4
    for item in place.districts:
        assert re.fullmatch(r"\d{6}", item.code)
        assert item.code[:4] == place.code[:4]
        assert item.code != place.code
        assert item.name[-1] in "区县市"
    assert place.name_zh.endswith("市")
    assert place.landmarks


def test_district_codes_are_unique() -> None:
    codes = [d.code for c in CITIES for d in c.districts]
    assert len(codes) == len(set(codes))


def test_known_districts() -> None:
    assert district("370102").name == "历下区"
    assert district("370202").name == "市南区"
    assert district("370116").name == "莱芜区"  # Laiwu became part of Jinan in 2019
    assert city_of_district("371702").slug == "heze"
    assert city("jinan").short_zh == "济南"


def test_unknown_places_name_what_was_asked() -> None:
    with pytest.raises(KeyError, match="shanghai"):
        city("shanghai")
    with pytest.raises(KeyError, match="371202"):
        district("371202")


def test_cities_agree_with_the_tenant_registry() -> None:
    from tenants.registry import SHANDONG_CITIES  # noqa: PLC0415

    tenants = {t.slug: (t.code, t.name_zh, t.name_en) for t in SHANDONG_CITIES}
    assert {c.slug: (c.code, c.name_zh, c.name_en) for c in CITIES} == tenants
