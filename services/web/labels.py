"""The Chinese and English names of coded values, as the pages show them (one table, one lookup).

The codes are those of the schemas' ``Literal`` types; ``tests/web/test_labels.py`` checks that every code
has its label. When the shared labels module of the API (``GET /api/labels``) exists, :func:`label` reads
from it instead and this table goes.
"""

from __future__ import annotations

from typing import Final

from services.text import Language, Text

LABELS: Final[dict[str, dict[str, Text]]] = {
    "theme": {
        "graduates": Text("高校毕业生", "Graduates"),
        "returnees": Text("返乡创业", "Returnees"),
        "veterans": Text("退役军人", "Veterans"),
        "industry_chain": Text("产业链", "Industry chain"),
        "culture_tourism": Text("文旅", "Culture and tourism"),
        "other": Text("其他", "Other"),
    },
    "street_status": {
        "applied": Text("已申报", "Applied"),
        "recommended": Text("已推荐", "Recommended"),
        "pilot": Text("试点", "Pilot"),
        "designated": Text("已认定", "Designated"),
        "rectification": Text("整改中", "Rectification"),
        "revoked": Text("已撤销", "Revoked"),
        "withdrawn": Text("已撤回", "Withdrawn"),
    },
    "center_service": {
        "policy_consultation": Text("政策咨询", "Policy consultation"),
        "mentoring": Text("创业指导", "Mentoring"),
        "training": Text("创业培训", "Training"),
        "employment": Text("就业服务", "Employment services"),
        "social_security": Text("社保服务", "Social security"),
        "talent": Text("人才服务", "Talent services"),
        "financing": Text("融资服务", "Financing"),
    },
    "entity_kind": {
        "enterprise": Text("企业", "Enterprise"),
        "individual": Text("个体工商户", "Individual business"),
        "cooperative": Text("农民专业合作社", "Cooperative"),
        "other": Text("其他", "Other"),
    },
    "entity_class": {
        "brand": Text("品牌企业", "Brand"),
        "growth": Text("成长型企业", "Growth"),
        "startup": Text("初创企业", "Start-up"),
    },
    "founder_group": {
        "graduate": Text("高校毕业生", "Graduate"),
        "returnee": Text("返乡创业人员", "Returnee"),
        "veteran": Text("退役军人", "Veteran"),
        "other": Text("其他", "Other"),
    },
    "activity_kind": {
        "guidance": Text("创业指导", "Guidance"),
        "salon": Text("创业沙龙", "Salon"),
        "training": Text("创业培训", "Training"),
        "other": Text("其他", "Other"),
    },
    "need": {
        "loans_financing": Text("贷款融资", "Loans and financing"),
        "talent": Text("人才引进", "Talent"),
        "hr": Text("人力资源", "HR services"),
        "policy": Text("政策", "Policy"),
        "premises": Text("场地", "Premises"),
        "other": Text("其他", "Other"),
    },
    "ledger_status": {
        "open": Text("待处理", "Open"),
        "in_progress": Text("处理中", "In progress"),
        "resolved": Text("已解决", "Resolved"),
    },
    "outcome": {
        "pass": Text("达标", "Pass"),
        "fail": Text("未达标", "Fail"),
        "incomplete": Text("数据不全", "Incomplete"),
    },
    "result": {
        "pass": Text("达标", "Pass"),
        "fail": Text("未达标", "Fail"),
        "no_data": Text("无数据", "No data"),
    },
    "assessment_kind": {
        "manual": Text("手动评估", "Manual"),
        "annual": Text("年度复评", "Annual"),
        "rectification": Text("整改复评", "Rectification"),
        "screening": Text("申报初审", "Screening"),
    },
    "level": {
        "required": Text("必备", "Required"),
        "advisory": Text("参考", "Advisory"),
    },
    "origin": {
        "province": Text("省级", "Province"),
        "city": Text("市级", "City"),
    },
    "role": {
        "province_admin": Text("省级管理员", "Province admin"),
        "city_admin": Text("市级管理员", "City admin"),
        "caseworker": Text("帮扶专员", "Caseworker"),
        "operator": Text("运营机构", "Street operator"),
        "viewer": Text("只读用户", "Viewer"),
    },
}
"""``kind → code → name``; the kinds are the schemas' coded types."""


def label(kind: str, code: object, language: Language = "zh") -> str:
    """The name of ``code`` in ``language``; an unknown code shows as itself rather than hiding the row."""
    if code is None:
        return "—"
    names = LABELS.get(kind, {})
    text = names.get(str(code))
    return text.get(language) if text is not None else str(code)
