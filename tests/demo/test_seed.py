"""The demo seed: every city's streets once (a second run adds nothing), and verdicts that follow each street's
profile — some streets meet every baseline criterion, the others each miss the one their profile misses."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from infra.db import owner_transaction, tenant_transaction
from infra.settings import Settings
from rules.baseline import load_baseline
from rules.overlay import effective_ruleset
from rules.verdict import evaluate_plain
from services.demo.loading import COLUMNS
from services.demo.places import CITIES
from services.demo.plans import FAILING
from services.demo.seed import demo_plans
from services.facts.service import compute_facts
from services.seeding import seed
from services.shared.uscc import validate_uscc
from tests.conftest import actor, fresh_database

TODAY = date(2025, 3, 15)
YEAR = TODAY.year - 1

# (outcome, criteria failed, criteria without data) of each profile's streets for last year.
EXPECTED: dict[str, tuple[str, set[str], set[str]]] = {
    "exemplary": ("pass", set(), set()),
    "late_followups": ("pass", {"followup_on_time", "replicable_practice"}, set()),
    "few_entities": ("fail", {"entity_count"}, set()),
    "low_satisfaction": ("fail", {"satisfaction"}, set()),
    "few_activities": ("fail", {"activities"}, set()),
    "short_staffed": ("fail", {"center_staff"}, set()),
    "ledger_gaps": ("fail", {"ledger_coverage", "followup_on_time"}, set()),
    "unclassified": ("fail", {"entities_classified"}, set()),
    "dormant": ("fail", {"activity_rate"}, set()),
    "small_survey": ("incomplete", set(), {"satisfaction"}),
    "off_theme": ("fail", {"street_theme"}, set()),
    "no_internships": ("fail", {"internship_positions"}, set()),
    "no_platform": ("fail", {"operator_digital_platform"}, set()),
}


@pytest.fixture(scope="module")
async def sessions(server_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with fresh_database(server_url) as sessions:
        yield sessions


@pytest.fixture(scope="module")
async def first_run(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> dict[str, int]:
    return await seed(sessions, settings, demo=True, today=TODAY)


async def _counts(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with owner_transaction(sessions) as session:
        return {
            table: (await session.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()  # noqa: S608
            for table in (*COLUMNS, "users", "custom_fields")
        }


async def test_a_second_run_adds_nothing(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, first_run: dict[str, int]
) -> None:
    before = await _counts(sessions)
    assert before["streets"] == first_run["streets"] == first_run["operator_users"]
    assert before["entities"] == first_run["entities"]
    assert await seed(sessions, settings, demo=True, today=TODAY) == {"users": 0, "operator_users": 0}
    assert await _counts(sessions) == before


async def test_every_city_has_four_to_six_streets_each_with_its_operator(
    sessions: async_sessionmaker[AsyncSession], first_run: dict[str, int]
) -> None:
    async with owner_transaction(sessions) as session:
        per_city = dict((await session.execute(text("SELECT tenant_id, count(*) FROM streets GROUP BY 1"))).all())
        operators = (
            await session.execute(
                text(
                    "SELECT u.username, u.tenant_id, s.name, s.status FROM users u"
                    " JOIN streets s ON s.tenant_id = u.tenant_id AND s.id = u.street_id WHERE u.role = 'operator'"
                )
            )
        ).all()
        entities = (
            await session.execute(
                text("SELECT tenant_id, street_id, count(*), min(uscc), max(uscc) FROM entities GROUP BY 1, 2")
            )
        ).all()
    assert set(per_city) == {city.slug for city in CITIES}
    assert all(4 <= count <= 6 for count in per_city.values())
    assert len(operators) == sum(per_city.values())
    assert {"jinan-op-1", "heze-op-4"} <= {username for username, *_ in operators}
    assert {"designated", "pilot", "recommended", "applied"} <= {status for *_, status in operators}
    assert all(60 <= count <= 180 for _, _, count, _, _ in entities)
    # Every centre recorded its services (三(三)), by its own staff.
    async with owner_transaction(sessions) as session:
        services = (
            await session.execute(
                text(
                    "SELECT count(DISTINCT (c.tenant_id, c.street_id)), count(*) FILTER (WHERE s.name IS NULL)"
                    " FROM center_services c LEFT JOIN center_staff s"
                    " ON s.tenant_id = c.tenant_id AND s.street_id = c.street_id AND s.name = c.staff"
                )
            )
        ).one()
    assert services == (sum(per_city.values()), 0)
    for *_, first, last in entities:
        validate_uscc(first)
        validate_uscc(last)


async def test_verdicts_follow_each_streets_profile(
    sessions: async_sessionmaker[AsyncSession], first_run: dict[str, int]
) -> None:
    failing = itertools.cycle(FAILING)
    profiles = {
        (city.slug, plan.name): plan.profile.name
        for index, city in enumerate(CITIES)
        for plan in demo_plans(city, index, failing)
    }
    baseline = load_baseline(YEAR)
    outcomes: Counter[str] = Counter()
    for city in CITIES:
        who = actor(city.slug)
        async with tenant_transaction(sessions, who.read_ids, who.write_ids) as session:
            names = dict((await session.execute(text("SELECT id, name FROM streets"))).all())
            facts = await compute_facts(session, who.tenant, YEAR, today=TODAY)
        ruleset = effective_ruleset(city.slug, YEAR, baseline, ())
        for street_id, street_facts in facts.items():
            verdict = evaluate_plain(ruleset, street_facts)
            seen = (
                verdict.outcome,
                {c.id for c in verdict.criteria if c.result == "fail"},
                {c.id for c in verdict.criteria if c.result == "no_data"},
            )
            profile = profiles[city.slug, names[street_id]]
            assert seen == EXPECTED[profile], (city.slug, names[street_id], profile, street_facts)
            outcomes[verdict.outcome] += 1
    assert outcomes["pass"] >= 16, outcomes
    assert outcomes["fail"] >= 16, outcomes
    assert outcomes["incomplete"] >= 1, outcomes


async def test_monthly_reports_give_the_jobs_newly_driven_each_month(
    sessions: async_sessionmaker[AsyncSession], first_run: dict[str, int]
) -> None:
    """A report's jobsDriven is the month's new jobs, so a year's reports add up to the employees of the
    operating entities that joined the street that year (not twelve times its headcount)."""
    query = text("""
        SELECT r.tenant_id, r.street_id, r.reported, coalesce(e.joined, 0) AS joined
        FROM (SELECT tenant_id, street_id, sum(jobs_driven) AS reported, count(*) AS months FROM monthly_reports
              WHERE month BETWEEN :first AND :last GROUP BY 1, 2) r
        LEFT JOIN (SELECT tenant_id, street_id, sum(employees) AS joined FROM entities
                   WHERE operating AND joined_on BETWEEN :first AND :last GROUP BY 1, 2) e
          ON e.tenant_id = r.tenant_id AND e.street_id = r.street_id
        WHERE r.months = 12
    """)
    async with owner_transaction(sessions) as session:
        rows = (await session.execute(query, {"first": date(YEAR, 1, 1), "last": date(YEAR, 12, 31)})).all()
    assert rows
    assert [(t, s, reported) for t, s, reported, joined in rows if reported != joined] == []


async def test_every_city_shows_support_outcomes_and_interns_taken_on(
    sessions: async_sessionmaker[AsyncSession], first_run: dict[str, int]
) -> None:
    """The demo's ledger has outcomes (帮扶成效) of resolved entries in every city, a loan among them, each of
    its entry's entity and street; the monthly reports take on interns, never more than their positions."""
    async with owner_transaction(sessions) as session:
        by_city = dict(
            (
                await session.execute(text("SELECT tenant_id, count(DISTINCT kind) FROM ledger_outcomes GROUP BY 1"))
            ).all()
        )
        mismatched = (
            await session.execute(
                text("""SELECT count(*) FROM ledger_outcomes o JOIN ledger_entries e
                        ON e.tenant_id = o.tenant_id AND e.id = o.entry_id
                        WHERE e.entity_id <> o.entity_id OR e.street_id <> o.street_id OR e.status <> 'resolved'""")
            )
        ).scalar_one()
        taken, beyond = (
            await session.execute(
                text("""SELECT sum(interns_graduates + interns_other_youth),
                               count(*) FILTER (WHERE interns_graduates + interns_other_youth > internship_positions)
                        FROM monthly_reports""")
            )
        ).one()
    assert set(by_city) == {city.slug for city in CITIES}
    assert min(by_city.values()) >= 3
    assert mismatched == 0
    assert taken > 0
    assert beyond == 0
