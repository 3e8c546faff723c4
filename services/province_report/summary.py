"""The per-street summary of the province report: each street's tally for a year, kept in report_street_years and
recomputed, in the caller's transaction, when the street's data, its city's cadence or the day changed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Final, NamedTuple

from sqlalchemy import RowMapping, text
from sqlmodel.ext.asyncio.session import AsyncSession

from services.facts.service import SATISFIED_RATING
from services.province_report.tally import (
    COUNTS_FORMAT,
    ENTITY_CLASSES,
    FOUNDER_GROUPS,
    NO_FOUNDER_GROUP,
    OUTCOMES,
    UNCLASSIFIED,
    StreetKey,
    Tally,
)
from tenants.config import TenantSettings, settings_from_json
from tenants.ids import TenantId

# Why a summary kept current rather than aggregates on request. Measured with infra/benchmarks/province_report.py
# on the national data set (31 provinces, 10,038 streets, 1.43 M entities, 10.8 M follow-up visits of 2025) on
# this machine's PostgreSQL 15 (2 CPUs, default settings, other work running alongside):
# - On request, Guangdong (598 streets, 86 k entities, 644 k visits) cannot answer in 200 ms: merely
#   counting its visits of the year takes ~365 ms warm, its entities' aggregate ~120 ms, and the
#   follow-up rule took 2.5-50 s depending on the plan (the RLS qual tenant_id = ANY(app_read_tenants())
#   is a function the planner cannot see into, so it underestimates a province 15-fold and probes an
#   index per entity). Indexes do not change that order of magnitude.
# - So each street's tally for a year is kept in report_street_years (migration 0006) and the report
#   reads one row per street; rows are stale when statement triggers on the street data bumped the
#   street's report_changes.version, when the city's follow-up cadence changed, or on a new day in a
#   running year (follow-ups are counted up to today). The report recomputes only the stale streets,
#   in the caller's transaction, with the per-street aggregate TALLIES, so it is never out of date and
#   needs no workflow to be right; `refresh_summary` lets a schedule recompute ahead of the readers.
# - Figures, p50/p95 per request: warm (summary current) 8/11 ms for the smallest province (Hainan,
#   121 streets) to 21/27 ms for the largest (Guangdong), at most 33/45 ms for any province; with 2 % of
#   the province's streets changed before each request 24/48 ms to 68/110 ms, at most 126 ms; with 10 %
#   changed the largest reach 180/215 ms (hence a schedule after busy hours). Cold (every street
#   recomputed, e.g. the first request of a day without a nightly refresh): 0.6 s (Hainan) to 2.5 s
#   (Sichuan, Guangdong). XLSX export of Guangdong, report included: 60 ms p50; CSV 35 ms.
# - Through RLS the plans use the (tenant_id, ...) indexes: every scan has the policy's qual in its
#   Index Cond next to the explicit tenant and street (the benchmark's --explain).

# One row per street asked for: each figure a LATERAL aggregate over that street's rows, through the
# (tenant_id, street_id[, date]) indexes. Per street rather than one set-based join per figure, because
# under RLS the planner underestimates a province's rows (the policy's tenant_id = ANY(app_read_tenants())
# is a stable function it cannot see into) and chose nested loops probing an index per entity, which
# took seconds to minutes for a large province; per street, the cost is linear in the streets
# recomputed whatever plan is chosen (the benchmark's --explain shows the plan). The definitions are
# compute_facts' (see `Tally`); its follow-up rule, for a visit on day d, counts the due window
# (d - start - 1) / days, and the on-time due dates of an entity are the distinct windows its visits
# fall in. A ledger entry and a visit carry their entity's street, so a street's own rows suffice.
_BY_CLASS: Final = ", ".join(f"count(*) FILTER (WHERE present AND class = '{c}') AS class_{c}" for c in ENTITY_CLASSES)
_BY_GROUP: Final = ", ".join(
    f"count(*) FILTER (WHERE present AND founder_group = '{g}') AS group_{g}" for g in FOUNDER_GROUPS
)
TALLIES = text(f"""
WITH cadence AS (  -- each city's follow-up days, in the order of :classes
    SELECT tenant_id, CAST(days AS integer[]) AS days
    FROM unnest(CAST(:cadence_tenants AS text[]), CAST(:cadences AS text[])) AS c(tenant_id, days)
)
SELECT s.tenant_id, s.street_id, e.*, a.activities, v.responses, v.satisfied, m.months, m.month_jobs,
       m.interns_graduates, m.interns_youth, o.*,
       x.passed IS NOT NULL AS assessed, coalesce(x.passed, false) AS passed, d.due, f.on_time
FROM unnest(CAST(:tenants AS text[]), CAST(:street_ids AS bigint[])) AS s(tenant_id, street_id)
JOIN cadence c ON c.tenant_id = s.tenant_id
CROSS JOIN LATERAL (
    SELECT count(*) AS registered,
           count(*) FILTER (WHERE present) AS present,
           count(*) FILTER (WHERE present AND operating) AS operating,
           coalesce(sum(employees) FILTER (WHERE present AND operating), 0) AS jobs,
           count(*) FILTER (WHERE present AND on_ledger) AS on_ledger,
           {_BY_CLASS},
           {_BY_GROUP}
    FROM (
        SELECT operating, employees, class, founder_group, left_on IS NULL OR left_on > :last AS present,
               id = ANY(ARRAY(
                   SELECT l.entity_id FROM ledger_entries l
                   WHERE l.tenant_id = s.tenant_id AND l.street_id = s.street_id AND l.opened_on <= :last
               )) AS on_ledger
        FROM entities
        WHERE tenant_id = s.tenant_id AND street_id = s.street_id
          AND (joined_on IS NULL OR joined_on <= :last) AND (left_on IS NULL OR left_on >= :first)
    ) registered
) e
CROSS JOIN LATERAL (
    SELECT count(*) AS activities FROM activities
    WHERE tenant_id = s.tenant_id AND street_id = s.street_id AND held_on BETWEEN :first AND :last
) a
CROSS JOIN LATERAL (
    SELECT count(*) AS responses, count(*) FILTER (WHERE rating >= :satisfied) AS satisfied
    FROM survey_responses
    WHERE tenant_id = s.tenant_id AND street_id = s.street_id AND responded_on BETWEEN :first AND :last
) v
CROSS JOIN LATERAL (
    SELECT array_agg(CAST(extract(month FROM month) AS integer) ORDER BY month) AS months,
           array_agg(jobs_driven ORDER BY month) AS month_jobs,
           coalesce(sum(interns_graduates), 0) AS interns_graduates,
           coalesce(sum(interns_other_youth), 0) AS interns_youth
    FROM monthly_reports
    WHERE tenant_id = s.tenant_id AND street_id = s.street_id AND month BETWEEN :first AND :last
) m
CROSS JOIN LATERAL (  -- the ledger's support outcomes achieved in the year (sums of bigint are numeric: cast)
    SELECT count(*) FILTER (WHERE kind = 'guaranteed_loan') AS loans,
           CAST(coalesce(sum(amount_wan), 0) AS bigint) AS loan_wan,
           count(*) FILTER (WHERE kind = 'startup_subsidy') AS subsidies,
           CAST(coalesce(sum(amount_yuan) FILTER (WHERE kind = 'startup_subsidy'), 0) AS bigint) AS subsidy_yuan,
           count(*) FILTER (WHERE kind = 'rent_reduction') AS rent_reductions,
           CAST(coalesce(sum(amount_yuan) FILTER (WHERE kind = 'rent_reduction'), 0) AS bigint) AS rent_yuan,
           coalesce(sum(persons) FILTER (WHERE kind = 'training_places'), 0) AS training_places,
           coalesce(sum(persons) FILTER (WHERE kind = 'talent_placed'), 0) AS talent_placed,
           coalesce(sum(graduates), 0) AS support_graduates,
           coalesce(sum(other_youth), 0) AS support_youth
    FROM ledger_outcomes
    WHERE tenant_id = s.tenant_id AND street_id = s.street_id AND achieved_on BETWEEN :first AND :last
) o
LEFT JOIN LATERAL (  -- the latest assessment of the year not voided decides
    SELECT outcome = 'pass' AS passed FROM assessments
    WHERE tenant_id = s.tenant_id AND street_id = s.street_id AND year = :year AND voided_at IS NULL
    ORDER BY created_at DESC, id DESC
    LIMIT 1
) x ON true
CROSS JOIN LATERAL (  -- entities due follow-ups: present at year end, classified, on the ledger
    SELECT coalesce(sum(due), 0) AS due, array_agg(id) AS ids, array_agg(start) AS starts,
           array_agg(days) AS days, array_agg(due) AS dues
    FROM (
        SELECT e.id, k.start, k.days, greatest(0, (CAST(:until AS date) - k.start) / k.days) AS due
        FROM entities e
        CROSS JOIN LATERAL (
            SELECT greatest(e.joined_on, CAST(:first AS date)) AS start,
                   c.days[array_position(CAST(:classes AS text[]), e.class)] AS days
        ) k
        WHERE e.tenant_id = s.tenant_id AND e.street_id = s.street_id AND e.class IS NOT NULL
          AND (e.joined_on IS NULL OR e.joined_on <= :last) AND (e.left_on IS NULL OR e.left_on > :last)
          AND e.id = ANY(ARRAY(
              SELECT l.entity_id FROM ledger_entries l
              WHERE l.tenant_id = s.tenant_id AND l.street_id = s.street_id AND l.opened_on <= :last
          ))
    ) scheduled
) d
CROSS JOIN LATERAL (  -- their visits, read once per street and matched by position in d's arrays
    SELECT coalesce(sum((
               SELECT count(DISTINCT (day - d.starts[i] - 1) / d.days[i]) FROM unnest(v.days) AS day
               WHERE day > d.starts[i] AND day <= d.starts[i] + d.dues[i] * d.days[i]
           )), 0) AS on_time
    FROM (
        SELECT entity_id, array_agg(visited_on) AS days FROM ledger_visits
        WHERE tenant_id = s.tenant_id AND street_id = s.street_id AND visited_on > :first AND visited_on <= :until
        GROUP BY entity_id
    ) v
    CROSS JOIN LATERAL array_position(d.ids, v.entity_id) AS i
    WHERE i IS NOT NULL
) f
WHERE s.tenant_id = ANY(:cities)
""")  # noqa: S608 - the interpolated names are the module's constants, never input

_SETTINGS = text("SELECT tenant_id, settings FROM tenant_configs WHERE tenant_id = ANY(:cities)")

# Every street of the cities with its status, its change version, and its summary row for the year.
_SUMMARY = text("""
SELECT s.tenant_id, s.id AS street_id, s.status, coalesce(c.version, 0) AS version,
       r.version AS summary_version, r.until, r.cadence, r.format, r.counts
FROM streets s
LEFT JOIN report_changes c ON c.tenant_id = s.tenant_id AND c.street_id = s.id
LEFT JOIN report_street_years r ON r.tenant_id = s.tenant_id AND r.year = :year AND r.street_id = s.id
WHERE s.tenant_id = ANY(:cities)
""")

_STORE = text("""
INSERT INTO report_street_years AS r (tenant_id, year, street_id, version, until, cadence, format, counts)
SELECT u.tenant_id, :year, u.street_id, u.version, :until, CAST(u.cadence AS integer[]), :format,
       CAST(u.counts AS bigint[])
FROM unnest(CAST(:tenants AS text[]), CAST(:street_ids AS bigint[]), CAST(:versions AS bigint[]),
            CAST(:cadences AS text[]), CAST(:counts AS text[])) AS u(tenant_id, street_id, version, cadence, counts)
ORDER BY u.tenant_id, u.street_id
ON CONFLICT (tenant_id, year, street_id) DO UPDATE
SET version = excluded.version, until = excluded.until, cadence = excluded.cadence, format = excluded.format,
    counts = excluded.counts, computed_at = now()
""")


async def city_settings(session: AsyncSession, cities: Sequence[TenantId]) -> dict[str, TenantSettings]:
    """Each city's configuration in one query (defaults where a city has none)."""
    stored = {row["tenant_id"]: row["settings"] for row in await _rows(session, _SETTINGS, {"cities": list(cities)})}
    return {city: settings_from_json(stored.get(city, {})) for city in cities}


def tally_params(
    cities: Sequence[TenantId],
    year: int,
    streets: Sequence[StreetKey],
    *,
    until: date,
    settings: Mapping[str, TenantSettings],
) -> dict[str, Any]:
    """The parameters of the per-street aggregate (`street_tallies`; the benchmark explains it with them)."""
    return {
        "cities": list(cities),
        "tenants": [tenant for tenant, _ in streets],
        "street_ids": [street for _, street in streets],
        "first": date(year, 1, 1),
        "last": date(year, 12, 31),
        "until": until,
        "year": year,
        "satisfied": SATISFIED_RATING,
        **_cadences(settings),
    }


async def street_tallies(
    session: AsyncSession,
    cities: Sequence[TenantId],
    year: int,
    streets: Sequence[StreetKey],
    *,
    until: date,
    settings: Mapping[str, TenantSettings],
) -> dict[StreetKey, Tally]:
    """The tallies of year `year` of `streets` (those of `cities`), from the street data itself.

    Survey counts are the street's own, whatever its city's minimum sample (the report applies it);
    `streets` and `by_status` are left empty (the summary keeps what changes only with street data).
    """
    tallies: dict[StreetKey, Tally] = {}
    for row in await _rows(session, TALLIES, tally_params(cities, year, streets, until=until, settings=settings)):
        present = row["present"]
        by_class = {c: row[f"class_{c}"] for c in ENTITY_CLASSES}
        by_group = {g: row[f"group_{g}"] for g in FOUNDER_GROUPS}
        monthly, reported = [0] * 12, [0] * 12
        for month, jobs in zip(row["months"] or (), row["month_jobs"] or (), strict=True):
            monthly[month - 1] += jobs
            reported[month - 1] += 1
        tally = Tally(
            registered=row["registered"],
            present=present,
            operating=row["operating"],
            jobs=row["jobs"],
            on_ledger=row["on_ledger"],
            by_class={**by_class, UNCLASSIFIED: present - sum(by_class.values())},
            by_group={**by_group, NO_FOUNDER_GROUP: present - sum(by_group.values())},
            activities=row["activities"],
            responses=row["responses"],
            satisfied=row["satisfied"],
            assessed=int(row["assessed"]),
            passed=int(row["passed"]),
            due=int(row["due"]),
            on_time=int(row["on_time"]),
            monthly_jobs=monthly,
            monthly_reports=reported,
        )
        for name in OUTCOMES:
            setattr(tally, name, int(row[name]))
        tallies[(row["tenant_id"], row["street_id"])] = tally
    return tallies


class StreetCounts(NamedTuple):
    """A street's status and its tally for the year in the order of `COUNTS`."""

    tenant: str
    street_id: int
    status: str
    counts: list[int]
    recomputed: bool


async def street_counts(
    session: AsyncSession,
    cities: Sequence[TenantId],
    year: int,
    *,
    until: date,
    settings: Mapping[str, TenantSettings],
) -> list[StreetCounts]:
    """Every street's tally for `year` from the summary, recomputing (and storing) the stale ones first.

    A stored row is current when it reflects the street's latest change (its version), the city's
    cadence, the same `until` and `COUNTS_FORMAT`. The version is read before the data it is stored
    with, so a change committed meanwhile leaves the row stale rather than wrongly current.
    """
    rows = await _rows(session, _SUMMARY, {"cities": list(cities), "year": year})
    stale = {
        (row["tenant_id"], row["street_id"]): row["version"]
        for row in rows
        if not (
            row["summary_version"] == row["version"]
            and row["until"] == until
            and row["format"] == COUNTS_FORMAT
            and row["cadence"] == _cadence(settings[row["tenant_id"]])
        )
    }
    computed: dict[StreetKey, list[int]] = {}
    if stale:
        tallies = await street_tallies(session, cities, year, sorted(stale), until=until, settings=settings)
        computed = {key: tally.counts() for key, tally in tallies.items()}
        await _store(session, year, until, settings, computed, stale)
    return [
        StreetCounts(
            tenant=row["tenant_id"],
            street_id=row["street_id"],
            status=row["status"],
            counts=computed.get((row["tenant_id"], row["street_id"])) or row["counts"],
            recomputed=(row["tenant_id"], row["street_id"]) in computed,
        )
        for row in rows
    ]


async def _rows(session: AsyncSession, query: Any, params: dict[str, Any]) -> Sequence[RowMapping]:
    return (await session.execute(query, params)).mappings().all()


def _cadence(settings: TenantSettings) -> list[int]:
    """The city's follow-up days by class, in `ENTITY_CLASSES` order, as the summary stores them."""
    return [getattr(settings.followup_days, entity_class) for entity_class in ENTITY_CLASSES]


def _cadence_literal(settings: TenantSettings) -> str:
    """`_cadence` as an array literal such as {90,60,30}: unnest takes no array of arrays."""
    return "{" + ",".join(map(str, _cadence(settings))) + "}"


def _cadences(settings: Mapping[str, TenantSettings]) -> dict[str, list[str]]:
    """The cities' follow-up days as `TALLIES` takes them, in the order of `ENTITY_CLASSES`."""
    return {
        "classes": list(ENTITY_CLASSES),
        "cadence_tenants": list(settings),
        "cadences": [_cadence_literal(config) for config in settings.values()],
    }


async def _store(
    session: AsyncSession,
    year: int,
    until: date,
    settings: Mapping[str, TenantSettings],
    counts: Mapping[StreetKey, list[int]],
    versions: Mapping[StreetKey, int],
) -> None:
    """Write recomputed tallies to the summary, each with the version read before it was computed."""
    keys = sorted(counts)
    await session.execute(
        _STORE,
        {
            "year": year,
            "until": until,
            "format": COUNTS_FORMAT,
            "tenants": [tenant for tenant, _ in keys],
            "street_ids": [street for _, street in keys],
            "versions": [versions[key] for key in keys],
            "cadences": [_cadence_literal(settings[tenant]) for tenant, _ in keys],
            "counts": ["{" + ",".join(map(str, counts[key])) + "}" for key in keys],
        },
    )
