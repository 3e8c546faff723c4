"""The province report as files: XLSX with a sheet per section, and CSV, both with Chinese headers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final, Literal
from urllib.parse import quote

import msgspec

from services.province_report.schemas import Figures, ProvinceReport
from services.shared.tabular.writing import ColumnKind, Sheet, SheetColumn, write_csv, write_xlsx
from tenants.calendar import CHINA_TIME

ExportFormat = Literal["xlsx", "csv"]

MEDIA_TYPES: Final[dict[ExportFormat, str]] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",  # Litestar adds "; charset=utf-8" to text types
}

_STATUS_LABELS: Final = {
    "applied": "申报",
    "recommended": "推荐",
    "pilot": "试点",
    "designated": "认定",
    "rectification": "整改",
    "revoked": "撤销",
    "withdrawn": "退出",
}
_CLASS_LABELS: Final = {"brand": "品牌", "growth": "成长型", "startup": "初创", "unclassified": "未分类"}
_GROUP_LABELS: Final = {
    "graduate": "高校毕业生",
    "returnee": "返乡创业人员",
    "veteran": "退役军人",
    "other": "其他人员",
    "unknown": "未填写",
}
_TOTAL: Final = "合计"
_TARGET: Final = "省定目标"


class Export(msgspec.Struct, frozen=True, kw_only=True):
    """A rendered export: the bytes, their media type, and the download's file names."""

    content: bytes
    media_type: str
    filename: str
    """ASCII, for clients that ignore `filename*`."""
    filename_zh: str

    @property
    def content_disposition(self) -> str:
        return f"attachment; filename=\"{self.filename}\"; filename*=UTF-8''{quote(self.filename_zh)}"


class _Column(msgspec.Struct, frozen=True):
    header: str
    kind: ColumnKind
    value: Callable[[Figures], object]


def _count_of(figure: Callable[[Figures], dict[str, int]], key: str) -> Callable[[Figures], object]:
    return lambda figures: figure(figures)[key]


def _columns_by_key(labels: dict[str, str], header: str, figure: Callable[[Figures], dict[str, int]]) -> list[_Column]:
    """A column per key of a breakdown (by status, class, founder group), headed "header：label"."""
    return [_Column(f"{header}：{label}", "integer", _count_of(figure, key)) for key, label in labels.items()]


def _month_of(index: int) -> Callable[[Figures], object]:
    return lambda figures: figures.monthly_jobs[index]


def _reports_of(index: int) -> Callable[[Figures], object]:
    return lambda figures: figures.monthly_reports[index]


_OVERVIEW: Final = [
    _Column("街区总数", "integer", lambda f: f.streets),
    *_columns_by_key(_STATUS_LABELS, "状态", lambda f: f.streets_by_status),
    _Column("试点街区", "integer", lambda f: f.pilots),
    _Column("省级街区（认定及整改中）", "integer", lambda f: f.designated),
    _Column("创业实体（年内登记）", "integer", lambda f: f.entities),
    _Column("年末在册实体", "integer", lambda f: f.entities_present),
    _Column("带动就业人数", "integer", lambda f: f.jobs_driven),
    _Column("月报新增就业（全年）", "integer", lambda f: f.jobs_reported),
    _Column("创业活动次数", "integer", lambda f: f.activities),
    _Column("创业活跃度", "percent", lambda f: f.activity_rate),
    _Column("满意度", "percent", lambda f: f.satisfaction),
    _Column("有效问卷数", "integer", lambda f: f.survey_responses),
    _Column("评估通过率", "percent", lambda f: f.pass_rate),
    _Column("已评估街区", "integer", lambda f: f.assessed_streets),
    _Column("台账覆盖率", "percent", lambda f: f.ledger_coverage),
    _Column("按时走访率", "percent", lambda f: f.followup_on_time),
    _Column("应走访次数", "integer", lambda f: f.followups_due),
    _Column("典型案例（已采纳）", "integer", lambda f: f.cases.accepted),
    _Column("典型案例（已发布）", "integer", lambda f: f.cases.published),
    _Column("年度等级 优秀（A）", "integer", lambda f: f.grades.A),
    _Column("年度等级 良好（B）", "integer", lambda f: f.grades.B),
    _Column("年度等级 合格（C）", "integer", lambda f: f.grades.C),
    _Column("年度等级 不合格（D）", "integer", lambda f: f.grades.D),
]
_ENTITIES: Final = [
    _Column("年末在册实体", "integer", lambda f: f.entities_present),
    *_columns_by_key(_CLASS_LABELS, "分类", lambda f: f.entities_by_class),
    *_columns_by_key(_GROUP_LABELS, "创办人群", lambda f: f.entities_by_founder_group),
]
# A month's figure is the jobs newly driven in that month (月报), so the months add up to the year's; beside
# them, how many streets reported each month, so that a month few have reported yet is seen as incomplete.
_MONTHLY: Final = [
    *(_Column(f"{month}月", "integer", _month_of(month - 1)) for month in range(1, 13)),
    _Column("全年", "integer", lambda f: f.jobs_reported),
    *(_Column(f"{month}月报送街区", "integer", _reports_of(month - 1)) for month in range(1, 13)),
]

# Support outcomes (帮扶成效) from the ledger, amounts in the unit of their header, and who the streets'
# internships took on (招用) as the monthly reports give it: two sources, shown apart, never added.
_OUTCOMES: Final = [
    _Column("创业担保贷款（笔）", "integer", lambda f: f.guaranteed_loans),
    _Column("创业担保贷款金额（万元）", "integer", lambda f: f.guaranteed_loan_wan),
    _Column("一次性创业补贴（笔）", "integer", lambda f: f.startup_subsidies),
    _Column("一次性创业补贴金额（元）", "integer", lambda f: f.startup_subsidy_yuan),
    _Column("租金减免（笔）", "integer", lambda f: f.rent_reductions),
    _Column("租金减免金额（元）", "integer", lambda f: f.rent_reduction_yuan),
    _Column("培训名额（人）", "integer", lambda f: f.training_places),
    _Column("人才引进（人）", "integer", lambda f: f.talent_placed),
    _Column("帮扶见习招用：高校毕业生（人）", "integer", lambda f: f.support_interns_graduates),
    _Column("帮扶见习招用：其他青年（人）", "integer", lambda f: f.support_interns_other_youth),
    _Column("月报见习招用：高校毕业生（人）", "integer", lambda f: f.interns_taken_graduates),
    _Column("月报见习招用：其他青年（人）", "integer", lambda f: f.interns_taken_other_youth),
]


def _rows(report: ProvinceReport, columns: Sequence[_Column]) -> list[list[object]]:
    rows: list[list[object]] = [[city.name_zh, *(c.value(city) for c in columns)] for city in report.cities]
    rows.append([_TOTAL, *(c.value(report.totals) for c in columns)])
    return rows


def _sheet(name: str, report: ProvinceReport, columns: Sequence[_Column]) -> Sheet:
    return Sheet(
        name=name,
        columns=[SheetColumn("城市", "text"), *(SheetColumn(c.header, c.kind) for c in columns)],
        rows=_rows(report, columns),
    )


def _target_row(report: ProvinceReport, columns: Sequence[_Column]) -> list[object]:
    """The province's target under the pilots and designated columns, empty elsewhere."""
    targets = {"试点街区": report.target.pilots, "省级街区（认定及整改中）": report.target.streets}
    return [_TARGET, *(targets.get(c.header) for c in columns)]


def title(report: ProvinceReport) -> str:
    """The title row: province, year and the time of generation in China's time, Chinese then English."""
    at = report.generated_at.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")
    return (
        f"{report.name_zh}创业街区 {report.year} 年度报表（生成于 {at} 北京时间）"
        f" / {report.name_en} entrepreneurship streets, {report.year} report, generated {at} (Asia/Shanghai)"
    )


def report_xlsx(report: ProvinceReport) -> bytes:
    """The workbook: 总览 (overview per city, with the totals and the target), 实体分类, 月度带动就业, 帮扶成效."""
    overview = _sheet("总览", report, _OVERVIEW)
    overview = msgspec.structs.replace(overview, rows=[*overview.rows, _target_row(report, _OVERVIEW)])
    return write_xlsx(
        title(report),
        [
            overview,
            _sheet("实体分类", report, _ENTITIES),
            _sheet("月度带动就业", report, _MONTHLY),
            _sheet("帮扶成效", report, _OUTCOMES),
        ],
    )


def report_csv(report: ProvinceReport) -> bytes:
    """One table, as a CSV can hold only one: every column of the four sheets, a row per city, the totals and
    the target (as in the workbook's overview)."""
    columns = [*_OVERVIEW, *_ENTITIES[1:], *_MONTHLY, *_OUTCOMES]
    rows = [*_rows(report, columns), _target_row(report, columns)]
    return write_csv(["城市", *(c.header for c in columns)], rows, ["text", *(c.kind for c in columns)])


def render(report: ProvinceReport, fmt: ExportFormat) -> Export:
    """`report` as an ``xlsx`` or ``csv`` download."""
    content = report_xlsx(report) if fmt == "xlsx" else report_csv(report)
    return Export(
        content=content,
        media_type=MEDIA_TYPES[fmt],
        filename=f"{report.province}-streets-{report.year}.{fmt}",
        filename_zh=f"{report.name_zh}创业街区报表-{report.year}.{fmt}",
    )
