"""The tenants Jiequ knows from the start: the province of Shandong and its 16 cities (DESIGN.md, Tenancy)."""

from __future__ import annotations

import msgspec


class TenantInfo(msgspec.Struct, frozen=True, kw_only=True):
    """A tenant (租户): a province or a city, named by its pinyin slug and its division code."""

    slug: str
    code: str
    name_zh: str
    name_en: str
    parent: str | None = None

    @property
    def is_province(self) -> bool:
        return self.parent is None


SHANDONG = TenantInfo(slug="shandong", code="370000", name_zh="山东省", name_en="Shandong Province")

_CITIES: tuple[tuple[str, str, str, str], ...] = (
    ("jinan", "370100", "济南市", "Jinan"),
    ("qingdao", "370200", "青岛市", "Qingdao"),
    ("zibo", "370300", "淄博市", "Zibo"),
    ("zaozhuang", "370400", "枣庄市", "Zaozhuang"),
    ("dongying", "370500", "东营市", "Dongying"),
    ("yantai", "370600", "烟台市", "Yantai"),
    ("weifang", "370700", "潍坊市", "Weifang"),
    ("jining", "370800", "济宁市", "Jining"),
    ("taian", "370900", "泰安市", "Tai'an"),
    ("weihai", "371000", "威海市", "Weihai"),
    ("rizhao", "371100", "日照市", "Rizhao"),
    ("linyi", "371300", "临沂市", "Linyi"),
    ("dezhou", "371400", "德州市", "Dezhou"),
    ("liaocheng", "371500", "聊城市", "Liaocheng"),
    ("binzhou", "371600", "滨州市", "Binzhou"),
    ("heze", "371700", "菏泽市", "Heze"),
)

SHANDONG_CITIES: tuple[TenantInfo, ...] = tuple(
    TenantInfo(slug=slug, code=code, name_zh=zh, name_en=en, parent=SHANDONG.slug) for slug, code, zh, en in _CITIES
)

BUILTIN_TENANTS: tuple[TenantInfo, ...] = (SHANDONG, *SHANDONG_CITIES)
