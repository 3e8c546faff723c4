"""The durable_rules engine: its quirks met (every rule fires, sessions deleted, action errors surface, one
thread), and its verdicts equal to plain Python comparisons."""

import os
import random
import subprocess
import sys
import threading
from typing import Any

import msgspec
import pytest

from infra.benchmarks.rules_engine import random_street
from rules import engine as engine_module
from rules.baseline import load_baseline
from rules.criteria import parse_criteria
from rules.engine import Engine, EngineError, ruleset_name
from rules.facts import CustomField, FactError, StreetFacts, fact_specs
from rules.overlay import Ruleset, effective_ruleset
from rules.verdict import evaluate_plain
from tests.rules.test_criteria import criterion

GOOD_STREET = StreetFacts(
    operator_legal_person=True,
    operator_clean_record=True,
    operator_digital_platform=True,
    center_fixed_site=True,
    center_staff=2,
    center_one_stop=True,
    street_theme="veterans",
    internship_positions=3,
    entity_count=130,
    jobs_driven=240,
    activities=14,
    activity_rate=0.82,
    satisfaction=0.94,
    satisfaction_responses=60,
    entities_classified=1.0,
    ledger_coverage=1.0,
    followup_on_time=0.93,
    replicable_practice=1,
)
WEIHAI_FIELDS = (
    CustomField(key="rent", type="decimal", label_zh="平均租金", label_en="the average rent"),
    CustomField(key="district_kind", type="choice", choices=("core", "suburb")),
    CustomField(key="opened_on", type="date", label_zh="开街日期", label_en="the opening date"),
    CustomField(key="has_parking", type="boolean"),
    CustomField(key="note", type="text"),
)
# Every operator and kind of fact, so that every failure condition the engine compiles is exercised.
WEIHAI_OVERLAY: list[dict[str, Any]] = [
    {"id": "entity_count", "fact": "entity_count", "op": ">", "value": 120},
    {"id": "graduate_founders", "fact": "graduate_share", "op": ">", "value": 0.3},
    {"id": "veteran_cap", "fact": "veteran_share", "op": "<=", "value": 0.5},
    {"id": "returnee_cap", "fact": "returnee_share", "op": "<", "value": 0.6},
    {"id": "not_other", "fact": "street_theme", "op": "!=", "value": "other"},
    {"id": "staff_sizes", "fact": "center_staff", "op": "in", "value": [2, 3, 5]},
    {"id": "activities_cap", "fact": "activities", "op": "<=", "value": 60},
    {"id": "rent", "fact": "custom.rent", "op": "<=", "value": 12.5},
    {"id": "core_district", "fact": "custom.district_kind", "op": "==", "value": "core"},
    {"id": "opened_early", "fact": "custom.opened_on", "op": "<", "value": "2024-06-01"},
    {"id": "parking", "fact": "custom.has_parking", "op": "==", "value": True},
    {"id": "not_closed", "fact": "custom.note", "op": "!=", "value": "closed"},
    {"id": "one_theme", "fact": "street_theme", "op": "in", "value": ["graduates"], "level": "advisory"},
]


def weihai_ruleset() -> Ruleset:
    overlay = parse_criteria(
        [
            {"title_zh": "城市条件", "title_en": "City criterion", "level": "required", "effective_from": 2025} | item
            for item in WEIHAI_OVERLAY
        ],
        fact_specs(WEIHAI_FIELDS),
    )
    return effective_ruleset("weihai", 2025, load_baseline(2025), overlay, WEIHAI_FIELDS)


def random_weihai_street(rng: random.Random) -> StreetFacts:
    """A street whose values sit on, just by and far from the thresholds, with missing data now and then."""

    def pick(*values: Any) -> Any:
        return None if rng.random() < 0.08 else rng.choice(values)

    street = random_street(rng)
    return msgspec.structs.replace(
        street,
        entity_count=pick(119, 120, 121, street.entity_count),
        center_staff=pick(1, 2, 3, 4, 5),
        activities=pick(9, 10, 60, 61),
        activity_rate=pick(0.8, 0.7999999999999999, 0.8000000000000002, 1, 0),
        satisfaction=pick(0.9, 0.89, 0.95, 1.0),
        graduate_share=pick(0.3, 0.30000000000000004, 0.29, 0.0, 1.0),
        veteran_share=pick(0.5, 0.51, 0.2),
        returnee_share=pick(0.6, 0.59, 0.61),
        street_theme=pick("graduates", "returnees", "veterans", "industry_chain", "culture_tourism", "other"),
        custom={
            "rent": pick(12.5, 12.51, 3.0, 40),
            "district_kind": pick("core", "suburb"),
            "opened_on": pick("2024-05-31", "2024-06-01", "2025-01-01"),
            "has_parking": pick(True, False),
            "note": pick("closed", "open", ""),
        },
    )


async def test_engine_verdicts_equal_plain_python_on_random_streets(engine: Engine) -> None:
    ruleset = weihai_ruleset()
    rng = random.Random(49)
    streets = [random_weihai_street(rng) for _ in range(3000)]

    verdicts = await engine.evaluate_many(ruleset, streets)

    assert len(verdicts) == len(streets)
    for street, verdict in zip(streets, verdicts, strict=True):
        assert verdict == evaluate_plain(ruleset, street)
    seen = {(r.id, r.result) for v in verdicts for r in v.criteria}
    assert {(c.id, result) for c in ruleset.criteria for result in ("pass", "fail", "no_data")} <= seen, (
        "the sample must make every criterion pass, fail and lack data"
    )
    assert {v.outcome for v in verdicts} >= {"fail", "incomplete"}


async def test_every_failing_criterion_fires(engine: Engine, baseline_2025: Ruleset) -> None:
    street = msgspec.structs.replace(GOOD_STREET, entity_count=85, jobs_driven=150, satisfaction=0.5)

    verdict = await engine.evaluate(baseline_2025, street)

    assert {r.id for r in verdict.criteria if r.result == "fail"} == {"entity_count", "jobs_driven", "satisfaction"}
    assert verdict.outcome == "fail"


async def test_a_batch_judges_each_street_on_its_own(engine: Engine, baseline_2025: Ruleset) -> None:
    failing = msgspec.structs.replace(GOOD_STREET, entity_count=99)
    empty = StreetFacts()

    verdicts = await engine.evaluate_many(baseline_2025, [GOOD_STREET, failing, empty, GOOD_STREET])

    assert [v.outcome for v in verdicts] == ["pass", "fail", "incomplete", "pass"]


async def test_no_streets_no_verdicts(engine: Engine, baseline_2025: Ruleset) -> None:
    assert await engine.evaluate_many(baseline_2025, []) == []


async def test_no_data_never_passes_whatever_the_operator(engine: Engine) -> None:
    verdict = await engine.evaluate(weihai_ruleset(), StreetFacts())

    assert {r.result for r in verdict.criteria} == {"no_data"}
    assert all(r.actual is None for r in verdict.criteria)
    assert verdict.outcome == "incomplete"


async def test_two_cities_judge_the_same_street_differently(engine: Engine) -> None:
    baseline = load_baseline(2025)
    qingdao_rules = parse_criteria([criterion(id="entity_count")])
    qingdao = effective_ruleset("qingdao", 2025, baseline, qingdao_rules)
    jinan = effective_ruleset("jinan", 2025, baseline, ())

    in_qingdao = await engine.evaluate(qingdao, GOOD_STREET)
    in_jinan = await engine.evaluate(jinan, GOOD_STREET)

    assert (in_qingdao.outcome, in_jinan.outcome) == ("fail", "pass")
    assert in_qingdao.ruleset_hash != in_jinan.ruleset_hash
    assert ruleset_name(qingdao) == f"rs_{qingdao.hash[:16]}"
    # Cities whose criteria are the same share one compiled ruleset, and judge alike.
    dezhou = effective_ruleset("dezhou", 2025, baseline, ())
    assert ruleset_name(dezhou) == ruleset_name(jinan)
    assert await engine.evaluate(dezhou, GOOD_STREET) == in_jinan


async def test_5000_evaluations_leave_no_session_behind() -> None:
    ruleset = effective_ruleset("dezhou", 2025, load_baseline(2025), ())
    failing = msgspec.structs.replace(GOOD_STREET, entity_count=12)
    engine = Engine()
    try:
        for n in range(5000):
            verdict = await engine.evaluate(ruleset, failing if n % 2 else GOOD_STREET)
            assert verdict.outcome == ("fail" if n % 2 else "pass")
        # More than the engine's 1024 live sessions were used: each was deleted after its evaluation.
        assert engine.live_sessions(ruleset) == []
    finally:
        engine.close()


async def test_an_error_inside_an_action_reaches_the_caller(
    engine: Engine, baseline_2025: Ruleset, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("ledger of failures unavailable")

    monkeypatch.setattr(engine_module, "_mark_failed", broken)
    with pytest.raises(EngineError, match="ledger of failures unavailable"):
        await engine.evaluate(baseline_2025, msgspec.structs.replace(GOOD_STREET, entity_count=1))
    monkeypatch.undo()

    assert engine.live_sessions(baseline_2025) == []
    assert (await engine.evaluate(baseline_2025, GOOD_STREET)).outcome == "pass"


async def test_a_fact_of_the_wrong_type_is_refused_before_the_engine(engine: Engine, baseline_2025: Ruleset) -> None:
    # The engine would compare "85" or true without complaint, and wrongly: such facts never reach it.
    for wrong in ({"entity_count": "85"}, {"entity_count": True}, {"satisfaction": 1.5}, {"street_theme": "x"}):
        with pytest.raises(FactError):
            await engine.evaluate(baseline_2025, msgspec.structs.replace(GOOD_STREET, **wrong))


async def test_a_ruleset_whose_hash_does_not_match_is_refused(engine: Engine, baseline_2025: Ruleset) -> None:
    tampered = msgspec.structs.replace(baseline_2025, tenant="binzhou", criteria=baseline_2025.criteria[1:])

    with pytest.raises(EngineError, match="does not match its criteria"):
        await engine.evaluate(tampered, GOOD_STREET)


def test_sync_calls_wait_for_the_engine_thread(engine: Engine, baseline_2025: Ruleset) -> None:
    failing = msgspec.structs.replace(GOOD_STREET, activities=3)

    assert engine.evaluate_sync(baseline_2025, failing).outcome == "fail"
    assert [v.outcome for v in engine.evaluate_many_sync(baseline_2025, [GOOD_STREET, failing])] == ["pass", "fail"]


async def test_the_engine_runs_on_one_thread_without_background_timers(engine: Engine, baseline_2025: Ruleset) -> None:
    await engine.evaluate(baseline_2025, GOOD_STREET)

    assert not [t for t in threading.enumerate() if isinstance(t, threading.Timer)]
    # Other engines (an app context's, say) may be alive in the process too: this one's threads are counted.
    assert len(engine._executor._threads) == 1


async def test_large_batches_are_split_into_sessions(baseline_2025: Ruleset) -> None:
    engine = Engine(batch_size=7)
    try:
        streets = [msgspec.structs.replace(GOOD_STREET, entity_count=n) for n in range(90, 110)]
        verdicts = await engine.evaluate_many(baseline_2025, streets)
        assert [v.outcome for v in verdicts] == ["fail"] * 10 + ["pass"] * 10
        assert engine.live_sessions(baseline_2025) == []
    finally:
        engine.close()


_FIRST_BATCH_ALL_PASS = """
from rules.baseline import load_baseline
from rules.engine import Engine
from rules.facts import StreetFacts
from rules.overlay import effective_ruleset

engine = Engine()
ruleset = effective_ruleset("rizhao", 2025, load_baseline(2025), ())
street = StreetFacts(operator_legal_person=True, center_staff=3)
for _ in range(3):
    assert engine.evaluate_many_sync(ruleset, [street, street])[0].outcome == "incomplete"
engine.close()
print("ok")
"""


def test_a_first_batch_in_which_no_criterion_fails_does_not_crash_the_process() -> None:
    # Deleting a session in which no action ever fired made the native engine free uninitialised
    # pointers. MALLOC_PERTURB_ fills fresh allocations with garbage so that the crash is certain rather
    # than up to the heap's history; a subprocess keeps a crash from taking the test run down with it.
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_BATCH_ALL_PASS],
        env={**os.environ, "MALLOC_PERTURB_": "165"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr[-2000:]


def test_an_unverified_claim_is_no_data_awaiting_verification_never_a_pass(
    engine: Engine, baseline_2025: Ruleset
) -> None:
    # The operator claims a clean record and a platform; the city has verified neither (services/attestations).
    street = msgspec.structs.replace(
        GOOD_STREET,
        operator_clean_record=None,
        operator_digital_platform=None,
        unverified_claims={"operator_clean_record": "unverified", "operator_digital_platform": "rejected"},
    )
    verdict = engine.evaluate_sync(baseline_2025, street)
    assert verdict == evaluate_plain(baseline_2025, street)
    assert verdict.outcome == "incomplete"
    clean = next(c for c in verdict.criteria if c.id == "operator_clean_record")
    assert (clean.result, clean.actual) == ("no_data", None)
    assert clean.explanation_zh == (
        "“运营机构无违法违规行为和未了结纠纷”为运营机构申报，待核实（市级尚未核实），"
        "不视为达标（鲁人社函〔2024〕49号 二(一)）。"
    )
    assert clean.explanation_en.startswith("The operator's clean record (no violations, no unsettled disputes) is the")
    assert "awaiting verification" in clean.explanation_en
    platform = next(c for c in verdict.criteria if c.id == "operator_digital_platform")
    assert platform.result == "no_data"
    assert "已被市级驳回" in platform.explanation_zh
    assert next(c for c in verdict.criteria if c.id == "operator_legal_person").result == "pass"
    # The facts a criterion reads never include the claims' statuses.
    assert "unverified_claims" not in street.as_mapping()
