"""Seeded generators of plausible Chinese demo names: people, streets, operators, entities, activities."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Final, Literal, TypeVar

from services.demo.places import city, city_of_district, district
from services.shared.uscc import make_uscc

Theme = Literal["graduates", "returnees", "veterans", "industry_chain", "culture_tourism", "other"]
EntityKind = Literal["enterprise", "individual", "cooperative", "other"]
ActivityKind = Literal["guidance", "salon", "training", "other"]

T = TypeVar("T")


def demo_rng(seed: int, *scope: str) -> random.Random:
    """A generator for one part of the demo (e.g. ``demo_rng(7, "jinan", "entities")``).

    Seeding by scope keeps each city's data the same however many other cities are generated or in
    what order; string seeds are hashed by `random` itself, so PYTHONHASHSEED does not matter.
    """
    return random.Random(":".join([str(seed), *scope]))  # noqa: S311  # demo data, not secrets


# Ordered roughly by frequency, Shandong's own common names (孔, 孟, 颜, 曲, 于) included.
SURNAMES: Final = "王李张刘陈杨赵孙徐马朱胡郭何高林罗郑梁宋于董韩曹冯孔孟颜曲丁姜崔侯耿邢薛魏田任"
_GIVEN_FIRST: Final = "志建文晓海春明国德玉立子浩欣雨思佳俊梓一振家学红永秀"
_GIVEN_SECOND: Final = "伟强军涛杰磊华平刚鹏飞宇轩涵怡萱琪洁敏静丽娜婷颖慧阳辉峰"


def person_name(rng: random.Random) -> str:
    """A full name such as 王晓涵 or 孔磊 (about a quarter have a one-character given name)."""
    surname = rng.choices(SURNAMES, weights=range(len(SURNAMES), 0, -1))[0]
    if rng.random() < 0.25:
        return surname + rng.choice(_GIVEN_SECOND)
    return surname + rng.choice(_GIVEN_FIRST) + rng.choice(_GIVEN_SECOND)


# How a street of each theme tends to call itself; "" gives the plain 创业街区.
THEME_WORDS: Final[dict[Theme, tuple[str, ...]]] = {
    "graduates": ("青年", "大学生", "高校毕业生"),
    "returnees": ("返乡", "归雁"),
    "veterans": ("退役军人", "老兵"),
    "industry_chain": ("数字经济", "电商直播", "产业链"),
    "culture_tourism": ("文旅", "非遗", "夜经济"),
    "other": ("", "众创", "双创"),
}


def street_name(rng: random.Random, city_slug: str, theme: Theme) -> str:
    """A street named after a local landmark and its theme, e.g. 芙蓉街青年创业街区."""
    return f"{rng.choice(city(city_slug).landmarks)}{rng.choice(THEME_WORDS[theme])}创业街区"


_OPERATOR_SUFFIXES: Final = (
    "街区运营管理有限公司",
    "创业服务有限公司",
    "商业运营管理有限公司",
    "企业管理咨询有限公司",
    "产业发展有限公司",
)


def operator_name(rng: random.Random, city_slug: str) -> str:
    """A street operator (运营机构), e.g. 济南泉城街区运营管理有限公司."""
    place = city(city_slug)
    middle = rng.choice((place.nickname, rng.choice(_BRANDS)))
    return f"{place.short_zh}{middle}{rng.choice(_OPERATOR_SUFFIXES)}"


# 字号: the trade name part of a registered name.
_BRANDS: Final = (
    "鲁韵",
    "齐风",
    "海岱",
    "星火",
    "启航",
    "青禾",
    "拾光",
    "知行",
    "匠心",
    "悦享",
    "云帆",
    "禾丰",
    "同舟",
    "嘉禾",
    "朗润",
    "沐阳",
    "小满",
    "初心",
    "半亩",
    "百味",
    "聚源",
    "锦程",
    "乐活",
    "瑞丰",
    "旭日",
    "青橙",
)
_COMPANY_TRADES: Final = (
    "科技",
    "信息技术",
    "文化传媒",
    "电子商务",
    "餐饮管理",
    "教育咨询",
    "网络科技",
    "农业科技",
    "设计",
)
_SHOP_TRADES: Final = (
    "餐饮店",
    "小吃店",
    "奶茶店",
    "烘焙坊",
    "便利店",
    "理发店",
    "服装店",
    "手作坊",
    "文化传媒工作室",
    "设计工作室",
    "摄影工作室",
    "花艺工作室",
)
_COOPERATIVE_TRADES: Final = ("果蔬种植", "大葱种植", "苹果种植", "茶叶种植", "中药材种植", "畜禽养殖")
_OTHER_NAMES: Final = ("青年创业服务中心", "创业孵化服务中心", "职业技能培训学校")


def entity_name(rng: random.Random, city_slug: str, kind: EntityKind) -> str:
    """A business on a street, worded as its kind is registered: 济南星火科技有限公司 (enterprise),
    历下区拾光奶茶店 (individual), 章丘区禾丰大葱种植专业合作社 (cooperative), 济南知行青年创业服务中心."""
    place = city(city_slug)
    brand = rng.choice(_BRANDS)
    where = rng.choice(place.districts).name
    if kind == "enterprise":
        return f"{place.short_zh}{brand}{rng.choice(_COMPANY_TRADES)}有限公司"
    if kind == "individual":
        return f"{where}{brand}{rng.choice(_SHOP_TRADES)}"
    if kind == "cooperative":
        return f"{where}{brand}{rng.choice(_COOPERATIVE_TRADES)}专业合作社"
    return f"{place.short_zh}{brand}{rng.choice(_OTHER_NAMES)}"


# USCC positions 1–2 for each entity kind: 91 企业, 92 个体工商户, 93 农民专业合作社, 52 民办非企业单位.
USCC_PREFIX: Final[dict[EntityKind, tuple[str, str]]] = {
    "enterprise": ("9", "1"),
    "individual": ("9", "2"),
    "cooperative": ("9", "3"),
    "other": ("5", "2"),
}


def entity_uscc(kind: EntityKind, division: str, serial: int) -> str:
    """A valid USCC for an entity of `kind` registered in `division`; distinct serials, distinct codes."""
    authority, type_code = USCC_PREFIX[kind]
    return make_uscc(authority, type_code, division, serial)


_ROADS: Final = (
    "人民路",
    "解放路",
    "建设路",
    "文化路",
    "和平路",
    "新华路",
    "胜利街",
    "中心街",
    "泰山路",
    "青年路",
)


def address(rng: random.Random, district_code: str) -> str:
    """A street address in the district, e.g. 济南市历下区文化路88号."""
    place = district(district_code)
    town = city_of_district(district_code).name_zh
    return f"{town}{place.name}{rng.choice(_ROADS)}{rng.randint(1, 299)}号"


ACTIVITY_TITLES: Final[dict[ActivityKind, tuple[str, ...]]] = {
    "guidance": ("创业政策解读会", "创业担保贷款政策宣讲", "一对一创业指导", "开业指导服务日", "项目诊断会"),
    "salon": ("创业沙龙", "创业者交流会", "创业者下午茶", "跨界合作分享会", "创业经验分享会"),
    "training": ("SYB创业培训班", "网店运营实务培训", "直播电商技能培训", "财税知识培训", "品牌营销培训"),
    "other": ("创业项目路演", "创业集市", "招聘对接会", "街区开放日", "产销对接会"),
}
# Who an activity is for, by the street's theme; "other" streets address everyone.
_AUDIENCE: Final[dict[Theme, str]] = {
    "graduates": "青年",
    "returnees": "返乡人员",
    "veterans": "退役军人",
    "industry_chain": "产业链",
    "culture_tourism": "文旅",
    "other": "",
}


def activity_title(rng: random.Random, kind: ActivityKind, theme: Theme = "other") -> str:
    """An activity title such as 青年创业沙龙 or 创业政策解读会（第3期）."""
    title = rng.choice(ACTIVITY_TITLES[kind])
    if kind in ("salon", "training") and rng.random() < 0.6:
        title = _AUDIENCE[theme] + title
    if rng.random() < 0.3:
        title += f"（第{rng.randint(1, 12)}期）"
    return title


STAFF_ROLES: Final = (
    "创业指导师",
    "政策专员",
    "运营经理",
    "综合服务专员",
    "就业服务专员",
    "社保专员",
    "财务顾问",
    "法律顾问",
)


def staff_role(rng: random.Random) -> str:
    """A role at a street's service centre; the first two (指导师, 政策专员) are the most common."""
    return rng.choices(STAFF_ROLES, weights=(4, 3, 2, 2, 1, 1, 1, 1))[0]


def distinct(make: Callable[[], T], count: int) -> list[T]:
    """`count` different values from `make` (e.g. street names within a city), in the order drawn."""
    found: dict[T, None] = {}  # a dict keeps the drawing order, unlike a set
    if count <= 0:
        return []
    for _ in range(count * 50):
        found.setdefault(make(), None)
        if len(found) == count:
            return list(found)
    raise ValueError(f"could draw only {len(found)} distinct values of {count} wanted")
