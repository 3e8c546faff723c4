"""The demo's typical cases (典型案例): each street documents its profile's number of practices a year, accepted by
the city; the designated and pilot streets' cases of last year are published by the province."""

from __future__ import annotations

import json
import random
from datetime import date, datetime
from typing import Final

from tenants.calendar import CHINA_TIME

CASES: Final = (
    (
        "business_cultivation",
        "{street}“小店经济”培育做法",
        "围绕特色街区业态，引导个体工商户成长为品牌店铺。",
        "## 主要做法\n\n- 按业态分区招商，避免同质竞争\n- 为新开小店提供 **3 个月** 免租期\n- 每季度评选“明星小店”",
    ),
    (
        "incubation",
        "{street}创业孵化“一站式”服务",
        "赋能中心集成政策咨询、创业指导和培训，创业者办事不出街区。",
        "## 主要做法\n\n- 设立综合服务窗口，**一窗受理**\n- 导师每周驻场坐诊\n- 孵化项目按成长阶段分类跟踪",
    ),
    (
        "finance",
        "{street}创业担保贷款“快审快贷”",
        "联合合作银行设立街区服务点，缩短创业担保贷款办理时间。",
        "## 主要做法\n\n- 银行专员驻点受理\n- 台账信息共享，**免交重复材料**\n- 放款后定期回访经营情况",
    ),
    (
        "digital_platform",
        "{street}数字平台助力商户经营",
        "运营机构搭建线上平台，统一发布活动、政策和招聘信息。",
        "## 主要做法\n\n- 商户线上入驻，统一展示\n- 政策和活动信息**集中推送**\n- 平台数据用于精准帮扶",
    ),
    (
        "youth",
        "{street}青年创业者集聚的经验",
        "面向高校毕业生开放创业集市和实习岗位，形成青年创业氛围。",
        "## 主要做法\n\n- 每周末开放青年创业集市\n- 与本地高校共建实习基地\n- 举办创业沙龙和路演",
    ),
)
COLUMNS: Final = (
    "tenant_id", "id", "street_id", "year", "title", "category", "summary", "body", "figures", "status",
    "created_by", "reviewed_by", "reviewed_at", "published_by", "published_at", "created_at", "updated_at",
)  # fmt: skip


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=CHINA_TIME)


def street_cases(
    tenant: str,
    street_id: int,
    street_name: str,
    practices: int,
    year: int,
    through: date,
    *,
    author: str,
    publish: bool,
) -> list[tuple[object, ...]]:
    """The accepted cases of one street's year (without their ids, which the caller draws), in `COLUMNS` order
    after ``id``: reviewed by the city admin, published by the province when `publish`."""
    rng = random.Random(f"cases:{tenant}:{street_id}:{year}")  # noqa: S311 - demo data
    found: list[tuple[object, ...]] = []
    for category, title, summary, body in rng.sample(CASES, min(practices, len(CASES))):
        written = date(year, rng.randint(1, max(1, through.month)), 1)
        reviewed = _at(written, 15)
        figures = [{"label": "带动就业", "value": f"{rng.randint(80, 900):,} 人"}]
        figures.append({"label": "服务创业者", "value": f"{rng.randint(30, 400):,} 人次"})
        found.append(
            (
                street_id,
                year,
                title.format(street=street_name),
                category,
                summary,
                body,
                json.dumps(figures, ensure_ascii=False),
                "published" if publish else "accepted",
                author,
                f"{tenant}-admin",
                reviewed,
                "province" if publish else None,
                reviewed if publish else None,
                _at(written, 9),
                reviewed,
            )
        )
    return found
