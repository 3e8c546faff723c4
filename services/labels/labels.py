"""The Chinese and English label of every coded value the API takes or gives: the one labels source.

Keyed by enum name, then code. Pages, the labels route, import templates and imports read it; the codes
themselves come from the Literal types (see `services.labels.service`), and a test fails on a code that
has no label here. The Chinese wording is the policy's own where it has one (鲁人社函〔2024〕49号).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from services.shared.tabular.reading import Column
from services.text import Text

LABELS: Final[dict[str, dict[str, Text]]] = {
    "theme": {
        "graduates": Text("高校毕业生", "graduates"),
        "returnees": Text("返乡创业人员", "returnees"),
        "veterans": Text("退役军人", "veterans"),
        "industry_chain": Text("产业链", "industry chain"),
        "culture_tourism": Text("文化旅游", "culture and tourism"),
        "other": Text("其他", "other"),
    },
    "streetStatus": {
        "applied": Text("已申报", "applied"),
        "recommended": Text("已推荐", "recommended"),
        "pilot": Text("试点街区", "pilot"),
        "designated": Text("省级创业街区", "designated"),
        "rectification": Text("整改中", "in rectification"),
        "revoked": Text("已撤销", "revoked"),
        "withdrawn": Text("已撤回", "withdrawn"),
    },
    "centerService": {
        "policy_consultation": Text("政策咨询", "policy consultation"),
        "mentoring": Text("创业指导", "mentoring"),
        "training": Text("创业培训", "training"),
        "employment": Text("就业服务", "employment services"),
        "social_security": Text("社会保障服务", "social security services"),
        "talent": Text("人才服务", "talent services"),
        "financing": Text("融资服务", "financing"),
    },
    "entityKind": {
        "enterprise": Text("企业", "enterprise"),
        "individual": Text("个体工商户", "individual business"),
        "cooperative": Text("农民专业合作社", "farmers' cooperative"),
        "other": Text("其他", "other"),
    },
    "entityClass": {
        "startup": Text("初创企业", "startup"),
        "growth": Text("成长型企业", "growth"),
        "brand": Text("品牌企业", "brand"),
    },
    "founderGroup": {
        "graduate": Text("高校毕业生", "graduate"),
        "returnee": Text("返乡创业人员", "returnee"),
        "veteran": Text("退役军人", "veteran"),
        "other": Text("其他", "other"),
    },
    "need": {
        "loans_financing": Text("贷款融资", "loans and financing"),
        "talent": Text("人才引进", "talent"),
        "hr": Text("人力资源", "HR services"),
        "policy": Text("政策咨询", "policy"),
        "premises": Text("经营场地", "premises"),
        "other": Text("其他", "other"),
    },
    "outcomeKind": {
        "guaranteed_loan": Text("创业担保贷款", "guaranteed business loan"),
        "startup_subsidy": Text("一次性创业补贴", "one-time start-up subsidy"),
        "rent_reduction": Text("租金减免", "rent reduction"),
        "training_places": Text("培训名额", "places in training"),
        "interns_taken": Text("见习招用", "interns taken on"),
        "talent_placed": Text("人才引进", "talent placed"),
    },
    "ledgerStatus": {
        "open": Text("待办", "open"),
        "in_progress": Text("办理中", "in progress"),
        "resolved": Text("已解决", "resolved"),
    },
    "activityKind": {
        "guidance": Text("创业指导", "guidance"),
        "salon": Text("创业沙龙", "salon"),
        "training": Text("创业培训", "training"),
        "other": Text("其他", "other"),
    },
    "serviceKind": {
        "policy": Text("政策咨询", "policy consultation"),
        "mentoring": Text("创业指导", "mentoring"),
        "training": Text("技能培训", "training"),
        "employment": Text("就业服务", "employment services"),
        "social_security": Text("社保服务", "social security"),
        "talent": Text("人才服务", "talent services"),
        "financing": Text("融资服务", "financing"),
    },
    "role": {
        "province_admin": Text("省级管理员", "province admin"),
        "city_admin": Text("市级管理员", "city admin"),
        "caseworker": Text("帮扶专员", "caseworker"),
        "operator": Text("街区运营机构", "street operator"),
        "viewer": Text("只读用户", "viewer"),
        "department_viewer": Text("部门只读", "department viewer"),
    },
    "department": {
        "development_reform": Text("发展改革部门", "development and reform"),
        "finance": Text("财政部门", "finance"),
        "market_regulation": Text("市场监管部门", "market regulation"),
    },
    "cyclePhase": {
        "application": Text("申报", "application"),
        "screening": Text("初审", "screening"),
        "recommendation": Text("推荐", "recommendation"),
        "tracking": Text("跟踪", "tracking"),
        "reevaluation": Text("复评", "re-evaluation"),
        "closed": Text("已结束", "closed"),
    },
    "selectionPhase": {
        "recommendation": Text("推荐", "recommendation"),
        "closed": Text("已结束", "closed"),
    },
    "reevaluationPhase": {
        "assessing": Text("评估中", "assessing"),
        "rectification": Text("整改", "rectification"),
        "closed": Text("已结束", "closed"),
    },
    "trackingPhase": {
        "starting": Text("启动中", "starting"),
        "tracking": Text("跟踪中", "tracking"),
        "closed": Text("已结束", "closed"),
    },
    "reportState": {
        "due": Text("待提交", "due"),
        "submitted": Text("已提交", "submitted"),
        "missing": Text("逾期未报（已提醒）", "missing (operator reminded)"),
        "escalated": Text("逾期未报（已上报经办人员）", "missing (caseworkers told)"),
    },
    "dueKind": {
        "applications": Text("申报截止", "applications close"),
        "reevaluation": Text("年度复评", "annual re-evaluation"),
        "rectification": Text("整改到期", "rectification due"),
    },
    "assessmentOutcome": {
        "pass": Text("通过", "pass"),
        "fail": Text("未通过", "fail"),
        "incomplete": Text("数据不全", "incomplete"),
    },
    "grade": {
        "A": Text("优秀", "excellent"),
        "B": Text("良好", "good"),
        "C": Text("合格", "pass"),
        "D": Text("不合格", "fail"),
    },
    "assessmentKind": {
        "manual": Text("手动评估", "manual"),
        "annual": Text("年度复评", "annual re-evaluation"),
        "rectification": Text("整改复评", "re-assessment after rectification"),
        "screening": Text("申报初审", "application screening"),
    },
    "criterionResult": {
        "pass": Text("达标", "pass"),
        "fail": Text("未达标", "fail"),
        "no_data": Text("无数据", "no data"),
        "not_applicable": Text("不适用", "not applicable"),
    },
    "criterionLevel": {
        "required": Text("必备条件", "required"),
        "advisory": Text("参考条件", "advisory"),
    },
    "criterionOrigin": {
        "province": Text("省级基准", "province baseline"),
        "city": Text("市级要求", "city requirement"),
    },
    "criterionOp": {
        ">=": Text("不低于", "at least"),
        ">": Text("高于", "more than"),
        "<=": Text("不高于", "at most"),
        "<": Text("低于", "less than"),
        "==": Text("等于", "equal to"),
        "!=": Text("不等于", "not equal to"),
        "in": Text("属于", "one of"),
    },
    "notificationKind": {
        "report_reminder": Text("月报提醒", "monthly report reminder"),
        "report_escalation": Text("月报逾期", "monthly report overdue"),
        "followup_overdue": Text("走访逾期", "follow-up visit overdue"),
        "street_designated": Text("认定为省级创业街区", "street designated"),
        "street_rectification": Text("进入整改", "rectification opened"),
        "street_retained": Text("保留认定", "designation retained"),
        "street_revoked": Text("撤销认定", "designation revoked"),
        "followup_escalation": Text("走访任务升级", "follow-up task escalated"),
        "cycle_settings": Text("年度流程配置有误", "cycle settings invalid"),
        "audit_broken": Text("审计日志校验失败", "audit trail check failed"),
        "revocation_proposed": Text("建议撤销认定", "revocation proposed"),
        "claims_unverified": Text("申报事项待核实", "claims to verify"),
    },
    "audience": {
        "street_operators": Text("街区运营机构", "street operators"),
        "caseworkers": Text("经办人员", "caseworkers"),
        "city_admins": Text("市级管理员", "city admins"),
        "province_admins": Text("省级管理员", "province admins"),
    },
    "taskStatus": {
        "open": Text("待走访", "open"),
        "done": Text("已完成", "done"),
    },
    "fieldType": {
        "integer": Text("整数", "whole number"),
        "decimal": Text("数值", "number"),
        "boolean": Text("是/否", "yes/no"),
        "text": Text("文本", "text"),
        "date": Text("日期", "date"),
        "choice": Text("选项", "choice"),
    },
    "caseCategory": {
        "business_cultivation": Text("业态培育", "business cultivation"),
        "incubation": Text("孵化服务", "incubation"),
        "finance": Text("金融支持", "financial support"),
        "digital_platform": Text("数字平台", "digital platform"),
        "youth": Text("青年集聚", "young founders"),
    },
    "caseStatus": {
        "draft": Text("草稿", "draft"),
        "submitted": Text("待审核", "submitted"),
        "accepted": Text("已采纳", "accepted"),
        "returned": Text("已退回", "returned"),
        "published": Text("已发布", "published"),
    },
    "caseDecision": {
        "accept": Text("采纳", "accept"),
        "return": Text("退回修改", "return for changes"),
    },
    "attestationStatus": {
        "unverified": Text("待核实", "awaiting verification"),
        "verified": Text("已核实", "verified"),
        "rejected": Text("已驳回", "rejected"),
    },
    "claim": {
        "legal_person": Text("独立法人资格", "independent legal person"),
        "clean_record": Text("无违法违规行为和未了结纠纷", "clean record"),
        "digital_platform_url": Text("数字化管理平台", "digital management platform"),
    },
    "factKind": {
        "bool": Text("是/否", "yes/no"),
        "int": Text("整数", "whole number"),
        "share": Text("比例", "share"),
        "float": Text("数值", "number"),
        "str": Text("文本", "text"),
        "date": Text("日期", "date"),
    },
}


def label(enum: str, code: str) -> Text:
    """The label of `code`; the code itself in both languages if it has none (a page never shows nothing)."""
    return LABELS.get(enum, {}).get(code) or Text(code, code)


def import_choices(enum: str, aliases: Mapping[str, str] | None = None) -> dict[str, str]:
    """What an import accepts in a coded column, mapped to the code: each code's Chinese label first (the
    value a template offers), then its English label, then `aliases` (short forms people write)."""
    labels = LABELS[enum]
    accepted = {text.zh: code for code, text in labels.items()}
    for code, text in labels.items():
        accepted.setdefault(text.en, code)
    for alias, code in (aliases or {}).items():
        if code not in labels:
            raise ValueError(f"alias {alias!r} names {code!r}, which is no {enum} code")
        accepted.setdefault(alias, code)
    return accepted


def offered(enum: str) -> tuple[str, ...]:
    """The Chinese labels of `enum`'s codes, in order: what a template's drop-down list offers."""
    return tuple(text.zh for text in LABELS[enum].values())


def coded_column(
    key: str, label_zh: str, enum: str, aliases: Mapping[str, str] | None = None, *, required: bool = False
) -> Column:
    """An import column of `enum`'s codes: it offers their Chinese labels and accepts what `import_choices` does."""
    return Column(
        key=key,
        label_zh=label_zh,
        type="choice",
        required=required,
        offered=offered(enum),
        choices=import_choices(enum, aliases),
    )
