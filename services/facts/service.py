"""Compute the facts (事实) of a tenant's streets for a year, for all streets at once, in a few SQL aggregates.

The facts are what POLICY.md's criteria name (`rules.facts.StreetFacts`). A fact the data cannot tell is
None ("no data"), never a zero that would look like a measurement: shares with nothing to divide are
None, and the counts of a street that recorded nothing at all for the year are None.

Terms used in the definitions below, for a calendar year Y:

- *the year*: 1 January to 31 December of Y.
- *registered in the year*: an entity whose ``joined_on`` is null or on or before 31 December, and whose
  ``left_on`` is null or on or after 1 January — it belonged to the street at some time in the year.
  An entity that left mid-year is registered that year.
- *present at year end*: registered in the year and not left by 31 December (``left_on`` null or later).
  An entity that left mid-year is not present: it counts for ``entity_count`` and for nothing else.
- *the street has data for the year*: at least one entity registered, monthly report, activity,
  internship position open, survey response or accepted typical case in the year. Without any, its
  yearly counts are None.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import RowMapping, TextClause, text
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.facts import ClaimStatus, FactValue, StreetFacts
from services.tenancy.service import get_settings
from tenants import calendar
from tenants.config import TenantSettings
from tenants.ids import TenantId

ONE_STOP_SERVICES = ("policy_consultation", "mentoring", "training")
"""The services a centre must all offer to count as one-stop (一站式, POLICY.md 二(一))."""

SATISFIED_RATING = 4
"""Ratings of 4 (satisfied, 满意) and 5 (very satisfied, 非常满意) count as satisfied (API.md)."""

# Every query names the tenant itself as well as running under RLS (DESIGN.md, Tenancy): RLS is the
# last line of defence, not the filter. The later queries take the street ids the first one found, so
# a street of another tenant cannot enter through `street_ids`.
_STREETS = text("""
SELECT s.id, s.theme, s.district, s.status, s.custom_fields,
       o.id IS NOT NULL AS has_operator, o.legal_person, o.clean_record,
       coalesce(o.digital_platform_url, '') <> '' AS digital_platform,
       CASE WHEN al.value = to_jsonb(o.legal_person) THEN al.status END AS legal_person_status,
       CASE WHEN ac.value = to_jsonb(o.clean_record) THEN ac.status END AS clean_record_status,
       CASE WHEN ap.value = to_jsonb(o.digital_platform_url) THEN ap.status END AS digital_platform_status,
       c.street_id IS NOT NULL AS has_center, c.fixed_site,
       c.services @> CAST(:one_stop AS text[]) AS one_stop,
       coalesce(staff.n, 0) AS staff
FROM streets s
LEFT JOIN operators o ON o.tenant_id = s.tenant_id AND o.id = s.operator_id
LEFT JOIN attestations al ON al.tenant_id = s.tenant_id AND al.street_id = s.id AND al.claim = 'legal_person'
LEFT JOIN attestations ac ON ac.tenant_id = s.tenant_id AND ac.street_id = s.id AND ac.claim = 'clean_record'
LEFT JOIN attestations ap
       ON ap.tenant_id = s.tenant_id AND ap.street_id = s.id AND ap.claim = 'digital_platform_url'
LEFT JOIN centers c ON c.tenant_id = s.tenant_id AND c.street_id = s.id
LEFT JOIN (
    SELECT street_id, count(*) AS n FROM center_staff WHERE tenant_id = :tenant GROUP BY street_id
) staff ON staff.street_id = s.id
WHERE s.tenant_id = :tenant
  AND (CAST(:street_ids AS bigint[]) IS NULL OR s.id = ANY(CAST(:street_ids AS bigint[])))
ORDER BY s.id
""")

_YEAR_RECORDS = text("""
SELECT s.id AS street_id,
       coalesce(a.n, 0) AS activities, coalesce(r.n, 0) AS reports, coalesce(p.n, 0) AS positions,
       coalesce(v.n, 0) AS responses, coalesce(v.satisfied, 0) AS satisfied, coalesce(k.n, 0) AS cases
FROM unnest(CAST(:street_ids AS bigint[])) AS s(id)
LEFT JOIN (
    SELECT street_id, count(*) AS n FROM activities
    WHERE tenant_id = :tenant AND street_id = ANY(:street_ids) AND held_on BETWEEN :first AND :last
    GROUP BY street_id
) a ON a.street_id = s.id
LEFT JOIN (
    SELECT street_id, count(*) AS n FROM monthly_reports
    WHERE tenant_id = :tenant AND street_id = ANY(:street_ids) AND month BETWEEN :first AND :last
    GROUP BY street_id
) r ON r.street_id = s.id
LEFT JOIN (
    SELECT street_id, count(*) AS n FROM internship_positions
    WHERE tenant_id = :tenant AND street_id = ANY(:street_ids)
      AND opened_on <= :last AND (closed_on IS NULL OR closed_on >= :first)
    GROUP BY street_id
) p ON p.street_id = s.id
LEFT JOIN (
    SELECT street_id, count(*) AS n, count(*) FILTER (WHERE rating >= :satisfied_rating) AS satisfied
    FROM survey_responses
    WHERE tenant_id = :tenant AND street_id = ANY(:street_ids) AND responded_on BETWEEN :first AND :last
    GROUP BY street_id
) v ON v.street_id = s.id
LEFT JOIN (
    SELECT street_id, count(*) AS n FROM cases
    WHERE tenant_id = :tenant AND street_id = ANY(:street_ids) AND year = :year
      AND status IN ('accepted', 'published')
    GROUP BY street_id
) k ON k.street_id = s.id
""")

# The entities registered in the year, read once with their ledger probe, give both the entity counts and
# the follow-up visits. Due dates fall every `days` from `start`; the k-th (start + k·days) is on time when
# a visit lies in (start + (k-1)·days, start + k·days]. So the window a visit covers is
# (visited - start - 1) / days (integer division), and the on-time due dates of an entity are the distinct
# windows its visits fall in: arithmetic on the visits, not a generated row per due date.
# The ledger and visit lookups are correlated subqueries, one index probe per entity, on purpose: the
# tenant filter and the RLS policy on the same column make the planner expect a handful of rows, and a
# ledger EXISTS in WHERE, pulled up into a join, was planned as a nested loop over the tenant's whole
# ledger. The CTEs are materialized so that each probe runs once: with such estimates, a join may
# otherwise repeat its inner side for every row of the outer one.
_ENTITIES = text("""
WITH cadence(class, days) AS (
    VALUES ('startup', CAST(:startup AS integer)), ('growth', CAST(:growth AS integer)),
           ('brand', CAST(:brand AS integer))
), registered AS MATERIALIZED (
    SELECT e.street_id, e.id, e.operating, e.employees, e.class, e.founder_group,
           e.left_on IS NULL OR e.left_on > :last AS present,
           EXISTS (
               SELECT 1 FROM ledger_entries l
               WHERE l.tenant_id = e.tenant_id AND l.entity_id = e.id AND l.opened_on <= :last
           ) AS on_ledger,
           c.days, greatest(e.joined_on, CAST(:first AS date)) AS start
    FROM entities e
    LEFT JOIN cadence c ON c.class = e.class
    WHERE e.tenant_id = :tenant AND e.street_id = ANY(:street_ids)
      AND (e.joined_on IS NULL OR e.joined_on <= :last)
      AND (e.left_on IS NULL OR e.left_on >= :first)
), due AS (
    SELECT street_id, id, days, start, (CAST(:until AS date) - start) / days AS due
    FROM registered
    WHERE present AND on_ledger AND start + days <= CAST(:until AS date)
), followup AS MATERIALIZED (
    SELECT d.street_id, CAST(sum(d.due) AS bigint) AS due, CAST(sum((
        SELECT count(DISTINCT (v.visited_on - d.start - 1) / d.days)
        FROM ledger_visits v
        WHERE v.tenant_id = :tenant AND v.entity_id = d.id
          AND v.visited_on > d.start AND v.visited_on <= d.start + d.due * d.days
    )) AS bigint) AS on_time
    FROM due d
    GROUP BY d.street_id
)
SELECT e.*, f.due, f.on_time
FROM (
    SELECT street_id,
           count(*) AS registered,
           count(*) FILTER (WHERE present) AS present,
           count(*) FILTER (WHERE present AND operating) AS operating,
           coalesce(sum(employees) FILTER (WHERE present AND operating), 0) AS jobs,
           count(*) FILTER (WHERE present AND class IS NOT NULL) AS classified,
           count(*) FILTER (WHERE present AND on_ledger) AS on_ledger,
           count(*) FILTER (WHERE present AND founder_group = 'graduate') AS graduates,
           count(*) FILTER (WHERE present AND founder_group = 'returnee') AS returnees,
           count(*) FILTER (WHERE present AND founder_group = 'veteran') AS veterans
    FROM registered
    GROUP BY street_id
) e
LEFT JOIN followup f ON f.street_id = e.street_id
""")

_CUSTOM_FIELDS = text("SELECT key FROM custom_fields WHERE tenant_id = :tenant ORDER BY key")


async def compute_facts(
    session: AsyncSession,
    tenant: TenantId,
    year: int,
    street_ids: Sequence[int] | None = None,
    *,
    today: date | None = None,
) -> dict[int, StreetFacts]:
    """The facts of each street of `tenant` (or of those of `street_ids` that are its own) for `year`.

    Runs in the caller's session, so row-level security applies as well as the tenant filter of every
    query. `today` (default: the date in China) bounds the follow-up visits due in a running year.
    Streets are keyed by id; an id that is not a street of the tenant is absent from the result.

    Definitions, with the POLICY.md clause of the criterion that reads each fact:

    - ``operator_legal_person``, ``operator_clean_record`` (二(一)): the operator's claim as the city verified
      it (services/attestations); None without an operator or an answer, and None while the claim awaits
      verification or was rejected (``unverified_claims`` says which).
    - ``operator_digital_platform`` (二(一)): whether the operator gave its platform's URL, once the city
      verified the URL; None without an operator, and while an URL awaits verification or was rejected.
    - ``unverified_claims``: the facts above that are None only because their claim is unverified or rejected,
      with that status. A claim counts only while the value the city decided on is the operator's value.
    - ``center_fixed_site`` (二(一)): as stored on the centre; None without a centre.
    - ``center_staff`` (二(一)): the number of the centre's staff, full- and part-time; None without a centre.
    - ``center_one_stop`` (二(一)): the centre offers policy consultation, mentoring and training, all
      three; None without a centre.
    - ``street_theme`` (二(二)): the street's theme; None when unset.
    - ``street_district``, ``street_status``: the street's district code and status, as stored; read by
      criteria that apply to some streets only (``appliesTo``).
    - ``internship_positions`` (二(三)): positions open at any time in the year (opened by 31 December,
      not closed before 1 January).
    - ``entity_count`` (二(三)): entities registered in the year.
    - ``jobs_driven`` (二(三)): the employees, founders included, of entities present at year end and in
      normal operation: a headcount from the entities. Monthly reports (whose ``jobsDriven`` is the jobs
      newly driven in that month) never enter it, so a month reported or not cannot move it.
    - ``activities`` (二(三)): activities held in the year.
    - ``activity_rate`` (二(三), 创业活跃度): entities in normal operation ÷ entities present at year end.
    - ``satisfaction`` (二(三)): responses in the year rated 4 or 5 ÷ responses in the year; None when
      there are fewer responses than the tenant's ``survey_min_sample`` (POLICY.md: "no data").
    - ``satisfaction_responses``: the number of responses in the year, always given (0 when none).
    - ``entities_classified`` (二(四)): entities present at year end with a class ÷ entities present.
    - ``ledger_coverage`` (二(四)): entities present at year end with a support-ledger entry opened by
      31 December ÷ entities present.
    - ``followup_on_time`` (二(四), 定期跟踪走访): for each entity present at year end that has a class
      and a ledger entry, with the tenant's cadence of its class (``followup_days``: startup 30, growth
      60, brand 90 by default), visits are due every cadence days from the later of its joining and
      1 January, up to the earlier of 31 December and `today`. A due date is met on time when the
      entity was visited in the cadence days ending on it (after the previous due date, up to and on
      this one). The fact is met due dates ÷ due dates; None when nothing was due. Unclassified entities
      have no cadence and are left to ``entities_classified``; entities without a ledger entry are left
      to ``ledger_coverage``.
    - ``replicable_practice`` (二(五), 形成可复制、可推广的经验做法): the street's typical cases of the year (their
      ``year``) that the city accepted, published or not (services/cases); drafts, submitted and returned cases
      do not count. An accepted case counts as data for the year.
    - ``graduate_share``, ``returnee_share``, ``veteran_share`` (local criteria, POLICY.md "Local
      requirements"): entities present at year end founded by that group ÷ entities present; an entity
      without a founder group is in the denominator only.
    - ``custom``: the street's value of each custom field the tenant defines (None when not set); values
      of fields the tenant no longer defines are left out.

    ``entity_count``, ``jobs_driven``, ``activities``, ``internship_positions`` and ``replicable_practice``
    are None when the street has no data for the year at all (module docstring); otherwise 0 is a real count. The shares
    based on entities present at year end are None when no entity is present.
    """
    if street_ids is not None and not street_ids:
        return {}
    first, last = date(year, 1, 1), date(year, 12, 31)
    until = min(last, today or calendar.today())
    settings = await get_settings(session, tenant)
    streets = await _rows(
        session,
        _STREETS,
        {
            "tenant": tenant,
            "one_stop": list(ONE_STOP_SERVICES),
            "street_ids": None if street_ids is None else list(street_ids),
        },
    )
    if not streets:
        return {}
    ids = [row["id"] for row in streets]
    params: dict[str, Any] = {"tenant": tenant, "street_ids": ids, "first": first, "last": last}
    records = await _by_street(session, _YEAR_RECORDS, {**params, "year": year, "satisfied_rating": SATISFIED_RATING})
    cadence = settings.followup_days
    entities = await _by_street(
        session,
        _ENTITIES,
        {**params, "until": until, "startup": cadence.startup, "growth": cadence.growth, "brand": cadence.brand},
    )
    fields = [row["key"] for row in await _rows(session, _CUSTOM_FIELDS, {"tenant": tenant})]
    return {
        row["id"]: _street_facts(row, records[row["id"]], entities.get(row["id"]), fields, settings) for row in streets
    }


async def _rows(session: AsyncSession, query: TextClause, params: dict[str, Any]) -> Sequence[RowMapping]:
    # Through the session's connection: the same transaction (and RLS context), plain Core results.
    connection = await session.connection()
    return (await connection.execute(query, params)).mappings().all()


async def _by_street(session: AsyncSession, query: TextClause, params: dict[str, Any]) -> dict[int, RowMapping]:
    return {row["street_id"]: row for row in await _rows(session, query, params)}


def _share(part: int | None, whole: int | None) -> float | None:
    """part ÷ whole, or None when there is nothing to divide (no whole, or no follow-up row at all)."""
    return part / whole if whole and part is not None else None


def _street_facts(
    street: RowMapping,
    records: RowMapping,
    entities: RowMapping | None,
    fields: list[str],
    settings: TenantSettings,
) -> StreetFacts:
    registered = entities["registered"] if entities else 0
    present = entities["present"] if entities else 0
    has_data = bool(
        registered
        or records["reports"]
        or records["activities"]
        or records["positions"]
        or records["responses"]
        or records["cases"]
    )

    def count(value: int) -> int | None:
        return value if has_data else None

    def among_present(key: str) -> float | None:
        return _share(entities[key], present) if entities else None

    has_operator, has_center = street["has_operator"], street["has_center"]
    responses = records["responses"]
    claims = {
        "operator_legal_person": (street["legal_person"], street["legal_person_status"]),
        "operator_clean_record": (street["clean_record"], street["clean_record_status"]),
        # Without an URL there is nothing to verify: "no platform" is the operator's own answer, a fail.
        "operator_digital_platform": (
            street["digital_platform"] if has_operator else None,
            street["digital_platform_status"] if street["digital_platform"] else "verified",
        ),
    }
    unverified: dict[str, ClaimStatus] = {
        fact: "rejected" if status == "rejected" else "unverified"
        for fact, (value, status) in claims.items()
        if value is not None and status != "verified"
    }
    verified = {fact: None if fact in unverified else value for fact, (value, _) in claims.items()}
    return StreetFacts(
        operator_legal_person=verified["operator_legal_person"],
        operator_clean_record=verified["operator_clean_record"],
        operator_digital_platform=verified["operator_digital_platform"],
        unverified_claims=unverified,
        center_fixed_site=street["fixed_site"] if has_center else None,
        center_staff=street["staff"] if has_center else None,
        center_one_stop=street["one_stop"] if has_center else None,
        street_theme=street["theme"],
        street_district=street["district"],
        street_status=street["status"],
        internship_positions=count(records["positions"]),
        entity_count=count(registered),
        jobs_driven=count(entities["jobs"] if entities else 0),
        activities=count(records["activities"]),
        activity_rate=among_present("operating"),
        satisfaction=records["satisfied"] / responses if responses >= settings.survey_min_sample else None,
        satisfaction_responses=responses,
        entities_classified=among_present("classified"),
        ledger_coverage=among_present("on_ledger"),
        followup_on_time=_share(entities["on_time"], entities["due"]) if entities else None,
        replicable_practice=count(records["cases"]),
        graduate_share=among_present("graduates"),
        returnee_share=among_present("returnees"),
        veteran_share=among_present("veterans"),
        custom={key: _scalar(street["custom_fields"].get(key)) for key in fields},
    )


def _scalar(value: object) -> FactValue | None:
    """A custom field's stored JSON value as a fact; a list or object is no fact a criterion can test."""
    return value if isinstance(value, bool | int | float | str) else None
