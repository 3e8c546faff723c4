"""compute_facts on crafted streets: each fact, its edges ("no data" is None), tenant scoping, batching."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from infra.db import owner_transaction, tenant_transaction
from rules.facts import StreetFacts
from services.facts.service import compute_facts
from services.models import (
    Activity,
    Case,
    Center,
    CenterStaff,
    CustomField,
    Entity,
    InternshipPosition,
    Operator,
    Street,
    SurveyResponse,
    TenantConfig,
)
from tests.conftest import actor
from tests.streetdata_fixtures import add_ledger, new_uscc, row_id, verified_claims

YEAR = 2025
JAN1 = date(YEAR, 1, 1)
AFTER_THE_YEAR = date(2026, 6, 1)


Streets = dict[str, int]
"""The crafted streets' ids by a short name."""


async def _street(session: AsyncSession, tenant: str, name: str, **values: Any) -> Street:
    street = Street(tenant_id=tenant, name=name, district="370102", **values)
    session.add(street)
    await session.flush()
    return street


async def _entity(session: AsyncSession, street: Street, **values: Any) -> Entity:
    entity = Entity(
        tenant_id=street.tenant_id, street_id=row_id(street), name="实体", uscc=new_uscc(), kind="enterprise", **values
    )
    session.add(entity)
    await session.flush()
    return entity


def _surveys(street: Street, ratings: list[int], on: date = date(YEAR, 6, 1)) -> list[SurveyResponse]:
    return [
        SurveyResponse(tenant_id=street.tenant_id, street_id=row_id(street), responded_on=on, rating=r) for r in ratings
    ]


@pytest.fixture(scope="module")
async def streets(sessions: async_sessionmaker[AsyncSession]) -> Streets:
    made: Streets = {}
    async with owner_transaction(sessions) as session:
        session.add_all(
            [
                CustomField(tenant_id="jinan", key="stalls", label_zh="摊位数", label_en="stalls", type="integer"),
                CustomField(
                    tenant_id="jinan", key="night_market", label_zh="夜市", label_en="night market", type="boolean"
                ),
                CustomField(tenant_id="jinan", key="opened", label_zh="开街日期", label_en="opened", type="date"),
            ]
        )
        operator = Operator(
            tenant_id="jinan",
            name="济南泉城街区运营管理有限公司",
            uscc=new_uscc(),
            legal_person=True,
            clean_record=True,
            digital_platform_url="https://jiequ.example.cn",
        )
        session.add(operator)
        await session.flush()

        # "full": every kind of record, with entities at each edge of the year.
        full = await _street(
            session,
            "jinan",
            "芙蓉街青年创业街区",
            theme="graduates",
            operator_id=operator.id,
            replicable_practices=2,
            custom_fields={"stalls": 24, "night_market": True, "opened": "2024-05-01", "retired": 5},
        )
        made["full"] = row_id(full)
        session.add_all(verified_claims(made["full"], operator))
        # The typed-in number above no longer counts: the accepted and published cases of the year do (2).
        session.add_all(
            Case(
                tenant_id="jinan",
                street_id=made["full"],
                year=year,
                title=f"案例{status}{year}",
                category="youth",
                summary="摘要",
                body="正文",
                status=status,
                created_by="jinan-admin",
                published_at=datetime(YEAR, 1, 1, tzinfo=UTC) if status == "published" else None,
            )
            for status, year in [
                ("accepted", YEAR),
                ("published", YEAR),
                ("draft", YEAR),
                ("submitted", YEAR),
                ("returned", YEAR),
                ("accepted", YEAR - 1),
            ]
        )
        session.add(
            Center(
                tenant_id="jinan",
                street_id=made["full"],
                fixed_site=True,
                address="济南市历下区芙蓉街1号",
                services=["policy_consultation", "mentoring", "training", "financing"],
            )
        )
        await session.flush()
        session.add_all(
            CenterStaff(
                tenant_id="jinan", street_id=made["full"], name=f"工作人员{n}", role="创业指导师", full_time=n == 0
            )
            for n in range(3)
        )
        startup = await _entity(
            session, full, entity_class="startup", founder_group="graduate", employees=5, joined_on=date(2024, 6, 1)
        )
        # Visited in each 30-day window of the year: 12 due dates (Jan 31 … Dec 27), all met.
        await add_ledger(
            session, startup, date(2024, 6, 1), [JAN1 + timedelta(days=30 * k - 3) for k in range(1, 13)], "jinan-case"
        )
        dormant = await _entity(
            session, full, entity_class="growth", founder_group="returnee", employees=3, operating=False
        )
        # 60-day windows end Mar 2, May 1, Jun 30, Aug 29, Oct 28, Dec 27. Feb 20 meets Mar 2; May 5 is late
        # for May 1 and meets Jun 30; nothing else: 2 of 6 on time.
        await add_ledger(session, dormant, date(2024, 1, 10), [date(2025, 2, 20), date(2025, 5, 5)], "jinan-case")
        left = await _entity(
            session,
            full,
            entity_class="brand",
            founder_group="veteran",
            employees=10,
            joined_on=date(2023, 1, 1),
            left_on=date(2025, 6, 30),
        )
        await add_ledger(session, left, date(2023, 1, 1), [date(2025, 3, 1)], "jinan-case")
        await _entity(session, full, employees=2, joined_on=date(2025, 3, 1))  # unclassified, not on the ledger
        await _entity(session, full, entity_class="startup", employees=4, joined_on=date(2026, 2, 1))  # next year
        await _entity(
            session, full, entity_class="startup", employees=4, joined_on=date(2020, 1, 1), left_on=date(2024, 12, 31)
        )  # gone before the year
        session.add_all(_surveys(full, [5] * 20 + [4] * 7 + [2] * 3))
        session.add_all(_surveys(full, [1] * 10, on=date(2024, 12, 31)))
        session.add_all(
            Activity(
                tenant_id="jinan",
                street_id=made["full"],
                kind="salon",
                title="青年创业沙龙",
                held_on=date(YEAR, 1 + n, 10),
            )
            for n in range(11)
        )
        session.add(
            Activity(
                tenant_id="jinan", street_id=made["full"], kind="salon", title="跨年沙龙", held_on=date(2024, 12, 31)
            )
        )
        session.add_all(
            [
                InternshipPosition(
                    tenant_id="jinan",
                    street_id=made["full"],
                    title="运营助理",
                    opened_on=date(2024, 3, 1),
                    closed_on=JAN1,
                ),
                InternshipPosition(
                    tenant_id="jinan", street_id=made["full"], title="直播助理", opened_on=date(YEAR, 5, 1)
                ),
                InternshipPosition(
                    tenant_id="jinan",
                    street_id=made["full"],
                    title="设计助理",
                    opened_on=date(2024, 3, 1),
                    closed_on=date(2024, 12, 31),
                ),
                InternshipPosition(
                    tenant_id="jinan", street_id=made["full"], title="文案助理", opened_on=date(2026, 1, 1)
                ),
            ]
        )

        # "empty": a street registered with nothing recorded.
        empty = await _street(session, "jinan", "宽厚里众创创业街区")
        made["empty"] = row_id(empty)

        # "survey": 29 answers, one short of the default minimum sample; and a bare centre and operator.
        bare_operator = Operator(tenant_id="jinan", name="济南鲁韵创业服务有限公司", uscc=new_uscc())
        session.add(bare_operator)
        await session.flush()
        survey = await _street(session, "jinan", "洪家楼双创创业街区", theme="other", operator_id=bare_operator.id)
        made["survey"] = row_id(survey)
        session.add(
            Center(
                tenant_id="jinan",
                street_id=made["survey"],
                fixed_site=False,
                services=["policy_consultation", "training"],
            )
        )
        session.add_all(_surveys(survey, [5] * 29))

        # "left": its one entity left mid-year.
        gone = await _street(session, "jinan", "山大路青年创业街区")
        made["left"] = row_id(gone)
        await _entity(
            session, gone, entity_class="startup", employees=3, joined_on=date(2024, 1, 1), left_on=date(YEAR, 5, 31)
        )

        # "late": one startup visited once, late for its first due date and on time for its second.
        late = await _street(session, "jinan", "经十路数字经济创业街区")
        made["late"] = row_id(late)
        entity = await _entity(session, late, entity_class="startup", employees=1)
        await add_ledger(session, entity, date(2024, 1, 1), [JAN1, date(YEAR, 2, 3)], "jinan-case")

        # qingdao, a smaller minimum sample and a faster cadence.
        await session.merge(
            TenantConfig(tenant_id="qingdao", settings={"surveyMinSample": 10, "followupDays": {"startup": 15}})
        )
        qingdao = await _street(session, "qingdao", "台东步行街青年创业街区")
        made["qingdao"] = row_id(qingdao)
        session.add_all(_surveys(qingdao, [5] * 9 + [3] * 3))
        entity = await _entity(session, qingdao, entity_class="startup", employees=2)
        await add_ledger(session, entity, date(2024, 1, 1), [date(YEAR, 1, 10), date(YEAR, 1, 14)], "jinan-case")
    return made


async def facts_of(
    sessions: async_sessionmaker[AsyncSession],
    tenant: str,
    street_ids: list[int] | None = None,
    today: date = AFTER_THE_YEAR,
) -> dict[int, StreetFacts]:
    who = actor(tenant)
    async with tenant_transaction(sessions, who.read_ids, who.write_ids) as session:
        return await compute_facts(session, who.tenant, YEAR, street_ids, today=today)


async def test_every_fact_of_a_street_with_every_kind_of_record(
    sessions: async_sessionmaker[AsyncSession], streets: Streets
) -> None:
    facts = (await facts_of(sessions, "jinan", [streets["full"]]))[streets["full"]]
    assert facts == StreetFacts(
        operator_legal_person=True,
        operator_clean_record=True,
        operator_digital_platform=True,
        center_fixed_site=True,
        center_staff=3,
        center_one_stop=True,
        street_theme="graduates",
        street_district="370102",
        street_status="applied",
        internship_positions=2,  # open on Jan 1 and from May; not the one closed before, nor the one after
        entity_count=4,  # startup, dormant, left mid-year, unclassified; not next year's nor last year's leaver
        jobs_driven=7,  # operating and present: startup 5 + unclassified 2 (not the dormant, not the leaver)
        activities=11,
        activity_rate=2 / 3,
        satisfaction=27 / 30,
        satisfaction_responses=30,
        entities_classified=2 / 3,
        ledger_coverage=2 / 3,
        followup_on_time=(12 + 2) / (12 + 6),
        replicable_practice=2,
        graduate_share=1 / 3,
        returnee_share=1 / 3,
        veteran_share=0.0,  # the veteran's entity left: a real zero among those present
        custom={"night_market": True, "opened": "2024-05-01", "stalls": 24},  # "retired" is no field any more
    )


async def test_a_street_without_data_has_none_for_every_fact_but_the_survey_count(
    sessions: async_sessionmaker[AsyncSession], streets: Streets
) -> None:
    facts = (await facts_of(sessions, "jinan"))[streets["empty"]]
    assert facts == StreetFacts(
        satisfaction_responses=0,
        street_district="370102",
        street_status="applied",
        custom={"night_market": None, "opened": None, "stalls": None},
    )


async def test_too_small_a_survey_is_no_data_and_counts_are_real_zeros_once_there_is_data(
    sessions: async_sessionmaker[AsyncSession], streets: Streets
) -> None:
    facts = (await facts_of(sessions, "jinan"))[streets["survey"]]
    assert facts.satisfaction is None
    assert facts.satisfaction_responses == 29
    # The street recorded something this year, so its counts are measurements; shares need entities.
    assert (facts.entity_count, facts.jobs_driven, facts.activities, facts.internship_positions) == (0, 0, 0, 0)
    assert facts.activity_rate is facts.entities_classified is facts.ledger_coverage is None
    assert facts.followup_on_time is None
    # An operator that attested nothing and gave no platform URL; a centre with no staff, no mentoring.
    assert (facts.operator_legal_person, facts.operator_clean_record, facts.operator_digital_platform) == (
        None,
        None,
        False,
    )
    assert (facts.center_fixed_site, facts.center_staff, facts.center_one_stop) == (False, 0, False)


async def test_an_entity_that_left_mid_year_is_registered_but_not_present_and_no_survey_is_no_data(
    sessions: async_sessionmaker[AsyncSession], streets: Streets
) -> None:
    facts = (await facts_of(sessions, "jinan"))[streets["left"]]
    assert facts.entity_count == 1
    assert (facts.satisfaction, facts.satisfaction_responses) == (None, 0)  # no survey at all
    assert facts.jobs_driven == 0
    assert facts.activity_rate is None
    assert facts.entities_classified is None
    assert facts.ledger_coverage is None


async def test_a_late_visit_misses_its_due_date_and_a_visit_on_the_window_start_does_not_count(
    sessions: async_sessionmaker[AsyncSession], streets: Streets
) -> None:
    # Due Jan 31 and Mar 2. Jan 1 opens the first window but is not in it; Feb 3 is late for Jan 31 and
    # meets Mar 2.
    facts = await facts_of(sessions, "jinan", [streets["late"]], today=date(YEAR, 3, 5))
    assert facts[streets["late"]].followup_on_time == 1 / 2
    # Before the first due date nothing was due: no data, not 0 % or 100 %.
    early = await facts_of(sessions, "jinan", [streets["late"]], today=date(YEAR, 1, 20))
    assert early[streets["late"]].followup_on_time is None


async def test_the_tenants_survey_sample_and_cadence_apply(
    sessions: async_sessionmaker[AsyncSession], streets: Streets
) -> None:
    # qingdao: 12 answers meet its sample of 10; startups are due every 15 days, Jan 16 and Jan 31 by Feb 1,
    # and both visits fall before Jan 16.
    facts = (await facts_of(sessions, "qingdao", today=date(YEAR, 2, 1)))[streets["qingdao"]]
    assert facts.satisfaction == 9 / 12
    assert facts.followup_on_time == 1 / 2


async def test_many_streets_at_once_equal_one_street_at_a_time(
    sessions: async_sessionmaker[AsyncSession], streets: Streets
) -> None:
    jinan = [streets[name] for name in ("full", "empty", "survey", "left", "late")]
    together = await facts_of(sessions, "jinan")
    assert sorted(together) == sorted(jinan)
    for street_id in jinan:
        alone = await facts_of(sessions, "jinan", [street_id])
        assert msgspec.to_builtins(alone) == msgspec.to_builtins({street_id: together[street_id]})


async def test_another_tenants_streets_are_not_returned_even_when_asked_for(
    sessions: async_sessionmaker[AsyncSession], streets: Streets
) -> None:
    asked = [streets["full"], streets["qingdao"]]
    assert list(await facts_of(sessions, "jinan", asked)) == [streets["full"]]
    assert list(await facts_of(sessions, "qingdao", asked)) == [streets["qingdao"]]
    assert await facts_of(sessions, "jinan", [streets["qingdao"]]) == {}
    assert await facts_of(sessions, "jinan", []) == {}
    # RLS: a transaction allowed only qingdao sees nothing of jinan, even when asking for jinan.
    qingdao = actor("qingdao")
    async with tenant_transaction(sessions, qingdao.read_ids, qingdao.write_ids) as session:
        assert await compute_facts(session, actor("jinan").tenant, YEAR, today=AFTER_THE_YEAR) == {}
