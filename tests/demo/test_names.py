"""Demo name generators: deterministic for a seed, plausible, and consistent with the places."""

import random

import pytest

from services.demo.names import (
    ACTIVITY_TITLES,
    STAFF_ROLES,
    THEME_WORDS,
    USCC_PREFIX,
    Theme,
    activity_title,
    address,
    demo_rng,
    distinct,
    entity_name,
    entity_uscc,
    operator_name,
    person_name,
    staff_role,
    street_name,
)
from services.demo.places import CITIES, city
from services.shared.uscc import validate_uscc


def sample(rng: random.Random) -> list[str]:
    out: list[str] = []
    for place in CITIES:
        out.append(operator_name(rng, place.slug))
        out.extend(street_name(rng, place.slug, theme) for theme in THEME_WORDS)
        out.extend(entity_name(rng, place.slug, kind) for kind in USCC_PREFIX)
        out.append(address(rng, place.districts[0].code))
    out.extend(person_name(rng) for _ in range(20))
    out.extend(activity_title(rng, kind, "returnees") for kind in ACTIVITY_TITLES)
    out.extend(staff_role(rng) for _ in range(5))
    return out


def test_same_seed_same_data() -> None:
    assert sample(demo_rng(2025, "all")) == sample(demo_rng(2025, "all"))
    assert sample(demo_rng(2025, "all")) != sample(demo_rng(2026, "all"))


def test_a_scope_is_independent_of_what_was_drawn_before() -> None:
    first = demo_rng(1, "jinan", "streets")
    other = demo_rng(1, "qingdao", "streets")
    other.random()
    again = demo_rng(1, "jinan", "streets")
    assert [first.random() for _ in range(3)] == [again.random() for _ in range(3)]


def test_person_names_are_chinese_names() -> None:
    rng = demo_rng(3, "people")
    for name in (person_name(rng) for _ in range(200)):
        assert 2 <= len(name) <= 3
        assert all("\u4e00" <= char <= "\u9fff" for char in name)


@pytest.mark.parametrize("theme", list(THEME_WORDS))
def test_street_names_use_a_landmark_of_the_city(theme: Theme) -> None:
    rng = demo_rng(4, theme)
    name = street_name(rng, "jinan", theme)
    assert name.endswith("创业街区")
    assert any(name.startswith(landmark) for landmark in city("jinan").landmarks)


def test_operator_and_entity_names_are_worded_by_kind() -> None:
    rng = demo_rng(5)
    assert operator_name(rng, "jinan").startswith("济南")
    assert operator_name(rng, "qingdao").endswith("公司")
    assert entity_name(rng, "jinan", "enterprise").endswith("有限公司")
    assert entity_name(rng, "jinan", "cooperative").endswith("专业合作社")
    shop = entity_name(rng, "jinan", "individual")
    assert any(shop.startswith(d.name) for d in city("jinan").districts)


def test_entity_uscc_is_valid_and_matches_the_kind() -> None:
    for kind, (authority, type_code) in USCC_PREFIX.items():
        code = entity_uscc(kind, "370102", 77)
        assert validate_uscc(code) == code
        assert code[:8] == authority + type_code + "370102"


def test_address_lies_in_the_district() -> None:
    assert address(demo_rng(6), "370202").startswith("青岛市市南区")


def test_activity_titles_and_roles() -> None:
    rng = demo_rng(7)
    for kind, titles in ACTIVITY_TITLES.items():
        for _ in range(20):
            title = activity_title(rng, kind, "veterans")
            assert any(base in title for base in titles)
    assert staff_role(rng) in STAFF_ROLES
    assert {"创业指导师", "政策专员"} <= set(STAFF_ROLES)


def test_distinct() -> None:
    rng = demo_rng(8)
    names = distinct(lambda: street_name(rng, "jinan", "graduates"), 10)
    assert len(set(names)) == 10
    assert distinct(lambda: 1, 0) == []
    with pytest.raises(ValueError, match="only 1 distinct"):
        distinct(lambda: 1, 2)
