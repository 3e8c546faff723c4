"""The province report of API.md ("Province reporting"): figures per city, their totals and the target."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from services.schemas import BaseStruct


class CaseCounts(BaseStruct):
    """Typical cases of the year (典型案例, 二(五) and 三(二)): `accepted` by the city, published or not, and of
    those, `published` by the province."""

    accepted: int = 0
    published: int = 0


class GradeCounts(BaseStruct):
    """Streets by their yearly grade (年度等级): A 优秀, B 良好, C 合格, D 不合格, each street by its latest assessment
    of the year not voided (one without a grade is not counted)."""

    A: Annotated[int, msgspec.Meta(description="优秀（A）的街区数 / streets graded A")] = 0
    B: Annotated[int, msgspec.Meta(description="良好（B）的街区数 / streets graded B")] = 0
    C: Annotated[int, msgspec.Meta(description="合格（C）的街区数 / streets graded C")] = 0
    D: Annotated[int, msgspec.Meta(description="不合格（D）的街区数 / streets graded D")] = 0


class Figures(BaseStruct):
    """The report's figures for one city or for the province; `service` defines each of them.

    `ledgerCoverage` is the share of the entities present at year end that have a support-ledger entry
    opened by 31 December (the fact `ledger_coverage`).

    Ratios are fractions (0.853 = 85.3 %) or null when there is nothing to divide ("no data").

    Jobs (带动就业): `jobsDriven` is the yearly fact `jobs_driven` of the criteria, the people employed at
    year end by the entities in normal operation (founders included), counted from the entities. Each month
    of `monthlyJobs` is the jobs newly driven in that month as the monthly reports (月报) give them, so the
    months add up to `jobsReported`, the jobs newly driven in the year; `monthlyReports` is how many
    streets reported each month, so that a month few have reported yet reads as incomplete, not as a fall.

    Support outcomes (帮扶成效) recorded on the ledger and achieved in the year: `guaranteedLoans` (创业担保贷款)
    and their total `guaranteedLoanWan` in 万元; `startupSubsidies` (一次性创业补贴) and `startupSubsidyYuan` in 元;
    `rentReductions` and `rentReductionYuan` in 元; `trainingPlaces` and `talentPlaced` in persons;
    `supportInternsGraduates` / `supportInternsOtherYouth`, interns the support got taken on. Apart from those,
    `internsTakenGraduates` / `internsTakenOtherYouth` are the people the monthly reports say the streets'
    internship positions took on (招用) in the year: the two sources are not added, as they may count one person twice.
    """

    streets: int
    streets_by_status: dict[str, int]
    pilots: int
    designated: int
    entities: int
    entities_present: int
    entities_by_class: dict[str, int]
    entities_by_founder_group: dict[str, int]
    ledger_coverage: float | None
    jobs_driven: int
    activities: int
    activity_rate: float | None
    satisfaction: float | None
    survey_responses: int
    pass_rate: float | None
    assessed_streets: int
    followup_on_time: float | None
    followups_due: int
    monthly_jobs: list[int]
    jobs_reported: int
    monthly_reports: list[int]
    guaranteed_loans: int
    guaranteed_loan_wan: int
    startup_subsidies: int
    startup_subsidy_yuan: int
    rent_reductions: int
    rent_reduction_yuan: int
    training_places: int
    talent_placed: int
    support_interns_graduates: int
    support_interns_other_youth: int
    interns_taken_graduates: int
    interns_taken_other_youth: int
    cases: CaseCounts
    grades: GradeCounts


class CityFigures(Figures):
    """One city's row of the report."""

    tenant: str
    name_zh: str
    name_en: str


class Target(BaseStruct):
    """The province's target for the programme (POLICY.md 一(三))."""

    pilots: int
    streets: int


class ProvinceReport(BaseStruct):
    """`GET /api/province/{province}/reports/{year}`."""

    province: str
    name_zh: str
    name_en: str
    year: int
    cities: list[CityFigures]
    totals: Figures
    target: Target
    generated_at: datetime
