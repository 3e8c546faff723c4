"""A tally (计数) of street figures: what the report sums per street, city and province, and the array layout the
summary stores it in."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, get_args

import msgspec

from services.entities.schemas import EntityClass, FounderGroup
from services.streets.schemas import StreetStatus

STATUSES: Final[tuple[str, ...]] = get_args(StreetStatus)
PILOT_STATUSES: Final = frozenset({"pilot"})
DESIGNATED_STATUSES: Final = frozenset({"designated", "rectification"})
"""A street in rectification (整改) keeps its designation until it is revoked."""

ENTITY_CLASSES: Final[tuple[str, ...]] = get_args(EntityClass)
UNCLASSIFIED: Final = "unclassified"
FOUNDER_GROUPS: Final[tuple[str, ...]] = get_args(FounderGroup)
NO_FOUNDER_GROUP: Final = "unknown"

OUTCOMES: Final[tuple[str, ...]] = (
    "loans",
    "loan_wan",
    "subsidies",
    "subsidy_yuan",
    "rent_reductions",
    "rent_yuan",
    "training_places",
    "talent_placed",
    "support_graduates",
    "support_youth",
    "interns_graduates",
    "interns_youth",
)
"""The support outcomes (帮扶成效) of the year and who the internships took on (招用); see `Tally`."""

COUNTS: Final[tuple[str, ...]] = (
    "registered",
    "present",
    "operating",
    "jobs",
    "on_ledger",
    *(f"class.{c}" for c in ENTITY_CLASSES),
    *(f"group.{g}" for g in FOUNDER_GROUPS),
    "activities",
    "responses",
    "satisfied",
    "assessed",
    "passed",
    "due",
    "on_time",
    *(f"month.{m}" for m in range(1, 13)),
    *(f"reports.{m}" for m in range(1, 13)),
    *OUTCOMES,
)
"""A street's tally as the summary stores it: one integer array in this order (sums are element-wise)."""
_DEFINITIONS: Final = 3
"""Raise it when a figure's SQL changes meaning: stored rows of the old definitions are then recomputed."""
COUNTS_FORMAT: Final = zlib.crc32(f"{_DEFINITIONS}:{','.join(COUNTS)}".encode()) & 0x7FFF
"""The layout and definitions a stored row was computed with (a smallint); another one is stale."""

StreetKey = tuple[str, int]
"""(tenant, street id): street ids are unique only within a tenant."""


class Tally(msgspec.Struct, kw_only=True):
    """The numerators and denominators behind the figures of a street, a city or the province.

    For a street of year Y, with compute_facts' definitions (services/facts/service.py):

    - streets, by_status: 1, and 1 under the street's status (whatever it is; read live, not summarised);
    - registered (fact ``entity_count``): entities registered at any time in Y;
    - present: entities present at the end of Y (not left by 31 December), the denominator of the shares;
    - operating, jobs (fact ``jobs_driven``): present entities in normal operation, and their employees
      (founders included);
    - on_ledger (fact ``ledger_coverage``): present entities with a support-ledger entry opened by 31 December;
    - by_class, by_group: present entities by class and by founder group ("unclassified"/"unknown" when
      not recorded);
    - activities: activities held in Y;
    - responses, satisfied (fact ``satisfaction``): Y's survey responses and those rated 4 or 5; a street's
      survey counts in a report only when it reaches its city's ``survey_min_sample`` (a smaller one is
      "no data" in the facts, so it adds nothing to the report either);
    - assessed, passed: 1 when the street has an assessment of Y, and 1 when its latest one passed;
    - due, on_time (fact ``followup_on_time``): follow-up visits due in Y up to today with the city's
      cadence, and those made on time;
    - monthly_jobs: the jobs newly driven in each month of Y, January to December, as the operators'
      monthly reports (月报) give them (a report's ``jobsDriven`` is the people who started work in that
      month, not a headcount): months add up, and their sum is ``jobs_reported``, the jobs newly driven in Y.
      A month that few operators have reported yet is small because it is incomplete, never a fall in
      employment: ``monthly_reports`` says how many streets reported each month;
    - monthly_reports: the number of the streets' reports of each month of Y;
    - support outcomes (帮扶成效) of the ledger achieved in Y: guaranteed loans (loans, and loan_wan their sum in
      万元), one-time start-up subsidies and rent reductions (each a count and a sum in 元), places in training
      and talent placed (persons), interns the support got taken on (support_graduates, support_youth);
    - interns_graduates, interns_youth: the people Y's monthly reports say the internship positions took on
      (招用), college graduates and other young people.

    ``jobs`` (the fact ``jobs_driven``) is a headcount at year end taken from the entities themselves,
    so no monthly report, on time or late, changes it; ``jobs_reported`` is the year's inflow as reported.
    """

    streets: int = 0
    by_status: dict[str, int] = msgspec.field(default_factory=dict)
    registered: int = 0
    present: int = 0
    operating: int = 0
    jobs: int = 0
    on_ledger: int = 0
    by_class: dict[str, int] = msgspec.field(default_factory=dict)
    by_group: dict[str, int] = msgspec.field(default_factory=dict)
    activities: int = 0
    responses: int = 0
    satisfied: int = 0
    assessed: int = 0
    passed: int = 0
    due: int = 0
    on_time: int = 0
    monthly_jobs: list[int] = msgspec.field(default_factory=lambda: [0] * 12)
    monthly_reports: list[int] = msgspec.field(default_factory=lambda: [0] * 12)
    loans: int = 0
    loan_wan: int = 0
    subsidies: int = 0
    subsidy_yuan: int = 0
    rent_reductions: int = 0
    rent_yuan: int = 0
    training_places: int = 0
    talent_placed: int = 0
    support_graduates: int = 0
    support_youth: int = 0
    interns_graduates: int = 0
    interns_youth: int = 0

    def add(self, other: Tally) -> None:
        for name in self.__struct_fields__:
            mine, theirs = getattr(self, name), getattr(other, name)
            if isinstance(mine, dict):
                setattr(self, name, {k: mine.get(k, 0) + theirs.get(k, 0) for k in {*mine, *theirs}})
            elif isinstance(mine, list):
                setattr(self, name, [a + b for a, b in zip(mine, theirs, strict=True)])
            else:
                setattr(self, name, mine + theirs)

    def counts(self) -> list[int]:
        """The tally in the order of `COUNTS` (streets and statuses are not stored)."""
        values: list[int] = []
        for name in COUNTS:
            field, _, key = name.partition(".")
            if field == "class":
                values.append(self.by_class.get(key, 0))
            elif field == "group":
                values.append(self.by_group.get(key, 0))
            elif field == "month":
                values.append(self.monthly_jobs[int(key) - 1])
            elif field == "reports":
                values.append(self.monthly_reports[int(key) - 1])
            else:
                values.append(getattr(self, field))
        return values

    @classmethod
    def of_counts(cls, counts: Sequence[int], by_status: Mapping[str, int]) -> Tally:
        """The tally of streets with these summed `counts` (`COUNTS` order) and statuses."""
        tally = cls(streets=sum(by_status.values()), by_status=dict(by_status))
        for name, value in zip(COUNTS, counts, strict=True):
            field, _, key = name.partition(".")
            if field == "class":
                tally.by_class[key] = value
            elif field == "group":
                tally.by_group[key] = value
            elif field == "month":
                tally.monthly_jobs[int(key) - 1] = value
            elif field == "reports":
                tally.monthly_reports[int(key) - 1] = value
            else:
                setattr(tally, field, value)
        tally.by_class[UNCLASSIFIED] = tally.present - sum(tally.by_class.values())
        tally.by_group[NO_FOUNDER_GROUP] = tally.present - sum(tally.by_group.values())
        return tally

    def figures(self) -> dict[str, Any]:
        """The report's figures (the fields of `Figures`); every ratio from the summed parts."""
        return {
            "streets": self.streets,
            "streets_by_status": _keyed(self.by_status, STATUSES),
            "pilots": sum(self.by_status.get(status, 0) for status in PILOT_STATUSES),
            "designated": sum(self.by_status.get(status, 0) for status in DESIGNATED_STATUSES),
            "entities": self.registered,
            "entities_present": self.present,
            "entities_by_class": _keyed(self.by_class, (*ENTITY_CLASSES, UNCLASSIFIED)),
            "entities_by_founder_group": _keyed(self.by_group, (*FOUNDER_GROUPS, NO_FOUNDER_GROUP)),
            "ledger_coverage": _share(self.on_ledger, self.present),
            "jobs_driven": self.jobs,
            "activities": self.activities,
            "activity_rate": _share(self.operating, self.present),
            "satisfaction": _share(self.satisfied, self.responses),
            "survey_responses": self.responses,
            "pass_rate": _share(self.passed, self.assessed),
            "assessed_streets": self.assessed,
            "followup_on_time": _share(self.on_time, self.due),
            "followups_due": self.due,
            "monthly_jobs": list(self.monthly_jobs),
            "jobs_reported": sum(self.monthly_jobs),
            "monthly_reports": list(self.monthly_reports),
            "guaranteed_loans": self.loans,
            "guaranteed_loan_wan": self.loan_wan,
            "startup_subsidies": self.subsidies,
            "startup_subsidy_yuan": self.subsidy_yuan,
            "rent_reductions": self.rent_reductions,
            "rent_reduction_yuan": self.rent_yuan,
            "training_places": self.training_places,
            "talent_placed": self.talent_placed,
            "support_interns_graduates": self.support_graduates,
            "support_interns_other_youth": self.support_youth,
            "interns_taken_graduates": self.interns_graduates,
            "interns_taken_other_youth": self.interns_youth,
        }


def _keyed(counts: Mapping[str, int], keys: Iterable[str]) -> dict[str, int]:
    """`counts` with every one of `keys`, 0 where absent, in their order."""
    return {key: counts.get(key, 0) for key in keys}


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
