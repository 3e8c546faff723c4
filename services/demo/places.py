"""Shandong's 16 cities with their real districts and counties (GB/T 2260 codes) and local landmarks."""

from __future__ import annotations

from typing import Final

import msgspec


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


def _districts(table: str) -> tuple[District, ...]:
    # "370102 历下区, 370103 市中区" keeps the tables below one line per city.
    return tuple(District(*entry.split()) for entry in table.split(","))


# Codes as in force since the 2019 merger of Laiwu into Jinan (hence no 3712xx) and the 2020 merger of
# Changdao into Penglai; every city's full list of districts and counties.
CITIES: Final[tuple[City, ...]] = (
    City(
        slug="jinan",
        code="370100",
        name_zh="济南市",
        name_en="Jinan",
        nickname="泉城",
        landmarks=("芙蓉街", "宽厚里", "曲水亭街", "洪家楼", "山大路", "经十路"),
        districts=_districts(
            "370102 历下区, 370103 市中区, 370104 槐荫区, 370105 天桥区, 370112 历城区,"
            "370113 长清区, 370114 章丘区, 370115 济阳区, 370116 莱芜区, 370117 钢城区,"
            "370124 平阴县, 370126 商河县"
        ),
    ),
    City(
        slug="qingdao",
        code="370200",
        name_zh="青岛市",
        name_en="Qingdao",
        nickname="岛城",
        landmarks=("台东步行街", "中山路", "劈柴院", "大学路", "李村", "登州路"),
        districts=_districts(
            "370202 市南区, 370203 市北区, 370211 黄岛区, 370212 崂山区, 370213 李沧区,"
            "370214 城阳区, 370215 即墨区, 370281 胶州市, 370283 平度市, 370285 莱西市"
        ),
    ),
    City(
        slug="zibo",
        code="370300",
        name_zh="淄博市",
        name_en="Zibo",
        nickname="齐都",
        landmarks=("八大局", "周村古商城", "齐盛湖", "陶琉大街"),
        districts=_districts(
            "370302 淄川区, 370303 张店区, 370304 博山区, 370305 临淄区, 370306 周村区,"
            "370321 桓台县, 370322 高青县, 370323 沂源县"
        ),
    ),
    City(
        slug="zaozhuang",
        code="370400",
        name_zh="枣庄市",
        name_en="Zaozhuang",
        nickname="榴园",
        landmarks=("台儿庄古城", "光明大道", "善国路", "龙头路"),
        districts=_districts(
            "370402 市中区, 370403 薛城区, 370404 峄城区, 370405 台儿庄区, 370406 山亭区,370481 滕州市"
        ),
    ),
    City(
        slug="dongying",
        code="370500",
        name_zh="东营市",
        name_en="Dongying",
        nickname="黄河口",
        landmarks=("西城府前街", "黄河路", "西四路", "东城商业街"),
        districts=_districts("370502 东营区, 370503 河口区, 370505 垦利区, 370522 利津县, 370523 广饶县"),
    ),
    City(
        slug="yantai",
        code="370600",
        name_zh="烟台市",
        name_en="Yantai",
        nickname="港城",
        landmarks=("朝阳街", "所城里", "滨海路", "芝罘岛"),
        districts=_districts(
            "370602 芝罘区, 370611 福山区, 370612 牟平区, 370613 莱山区, 370614 蓬莱区,"
            "370681 龙口市, 370682 莱阳市, 370683 莱州市, 370685 招远市, 370686 栖霞市,"
            "370687 海阳市"
        ),
    ),
    City(
        slug="weifang",
        code="370700",
        name_zh="潍坊市",
        name_en="Weifang",
        nickname="鸢都",
        landmarks=("十笏园", "风筝广场", "青州古城", "寒亭杨家埠"),
        districts=_districts(
            "370702 潍城区, 370703 寒亭区, 370704 坊子区, 370705 奎文区, 370724 临朐县,"
            "370725 昌乐县, 370781 青州市, 370782 诸城市, 370783 寿光市, 370784 安丘市,"
            "370785 高密市, 370786 昌邑市"
        ),
    ),
    City(
        slug="jining",
        code="370800",
        name_zh="济宁市",
        name_en="Jining",
        nickname="运河之都",
        landmarks=("竹竿巷", "太白楼路", "曲阜明故城", "南池"),
        districts=_districts(
            "370811 任城区, 370812 兖州区, 370826 微山县, 370827 鱼台县, 370828 金乡县,"
            "370829 嘉祥县, 370830 汶上县, 370831 泗水县, 370832 梁山县, 370881 曲阜市,"
            "370883 邹城市"
        ),
    ),
    City(
        slug="taian",
        code="370900",
        name_zh="泰安市",
        name_en="Tai'an",
        nickname="泰山",
        landmarks=("红门路", "岱庙", "天外村", "泰城老街"),
        districts=_districts("370902 泰山区, 370911 岱岳区, 370921 宁阳县, 370923 东平县, 370982 新泰市,370983 肥城市"),
    ),
    City(
        slug="weihai",
        code="371000",
        name_zh="威海市",
        name_en="Weihai",
        nickname="威海卫",
        landmarks=("韩乐坊", "幸福门", "威海卫古城", "九龙湾"),
        districts=_districts("371002 环翠区, 371003 文登区, 371082 荣成市, 371083 乳山市"),
    ),
    City(
        slug="rizhao",
        code="371100",
        name_zh="日照市",
        name_en="Rizhao",
        nickname="阳光",
        landmarks=("万平口", "海曲路", "东夷小镇", "灯塔广场"),
        districts=_districts("371102 东港区, 371103 岚山区, 371121 五莲县, 371122 莒县"),
    ),
    City(
        slug="linyi",
        code="371300",
        name_zh="临沂市",
        name_en="Linyi",
        nickname="沂蒙",
        landmarks=("沂河路", "临沂商城", "书圣街", "蒙山大道"),
        districts=_districts(
            "371302 兰山区, 371311 罗庄区, 371312 河东区, 371321 沂南县, 371322 郯城县,"
            "371323 沂水县, 371324 兰陵县, 371325 费县, 371326 平邑县, 371327 莒南县,"
            "371328 蒙阴县, 371329 临沭县"
        ),
    ),
    City(
        slug="dezhou",
        code="371400",
        name_zh="德州市",
        name_en="Dezhou",
        nickname="九达天衢",
        landmarks=("天衢路", "湖滨大道", "董子园", "运河古街"),
        districts=_districts(
            "371402 德城区, 371403 陵城区, 371422 宁津县, 371423 庆云县, 371424 临邑县,"
            "371425 齐河县, 371426 平原县, 371427 夏津县, 371428 武城县, 371481 乐陵市,"
            "371482 禹城市"
        ),
    ),
    City(
        slug="liaocheng",
        code="371500",
        name_zh="聊城市",
        name_en="Liaocheng",
        nickname="江北水城",
        landmarks=("光岳楼", "东昌湖", "米市街", "运河古街"),
        districts=_districts(
            "371502 东昌府区, 371503 茌平区, 371521 阳谷县, 371522 莘县, 371524 东阿县,"
            "371525 冠县, 371526 高唐县, 371581 临清市"
        ),
    ),
    City(
        slug="binzhou",
        code="371600",
        name_zh="滨州市",
        name_en="Binzhou",
        nickname="渤海",
        landmarks=("渤海八路", "黄河五路", "秦皇河", "魏集古镇"),
        districts=_districts(
            "371602 滨城区, 371603 沾化区, 371621 惠民县, 371622 阳信县, 371623 无棣县,371625 博兴县, 371681 邹平市"
        ),
    ),
    City(
        slug="heze",
        code="371700",
        name_zh="菏泽市",
        name_en="Heze",
        nickname="牡丹",
        landmarks=("中华路", "曹州古城", "牡丹园", "万福河"),
        districts=_districts(
            "371702 牡丹区, 371703 定陶区, 371721 曹县, 371722 单县, 371723 成武县,"
            "371724 巨野县, 371725 郓城县, 371726 鄄城县, 371728 东明县"
        ),
    ),
)

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
