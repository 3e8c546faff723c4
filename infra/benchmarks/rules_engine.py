"""Benchmark: street evaluations per second through the rules engine and in plain Python on random streets; and
through the engine with each verdict graded (年度等级, rules/grades) as assessments are."""

import argparse
import asyncio
import functools
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TypeVar

import msgspec

from rules.baseline import load_baseline
from rules.criteria import parse_criteria
from rules.engine import Engine
from rules.facts import STATUSES, StreetFacts
from rules.grades import GradeScheme, grader, scheme_in_force
from rules.overlay import Ruleset, effective_ruleset
from rules.verdict import Verdict, evaluate_plain

T = TypeVar("T")
GOOD_THEMES = ("graduates", "returnees", "veterans", "industry_chain")
OTHER_THEMES = ("culture_tourism", "other")
DISTRICTS = ("370102", "370103", "370211", "370303", "370602")
SCOPED = parse_criteria(
    [
        {
            "id": "graduate_share",
            "title_zh": "高校毕业生主题街区中高校毕业生创办的创业实体占比不低于 30%",
            "title_en": "At least 30 % of entities founded by graduates in a graduates street",
            "fact": "graduate_share",
            "op": ">=",
            "value": 0.3,
            "level": "required",
            "effective_from": 2025,
            "appliesTo": {"themes": ["graduates"]},
        },
        {
            "id": "night_market",
            "title_zh": "产业链试点街区每年举办至少 20 场夜市活动",
            "title_en": "An industry-chain pilot street holds at least 20 night markets a year",
            "fact": "activities",
            "op": ">=",
            "value": 20,
            "level": "required",
            "effective_from": 2025,
            "appliesTo": {"themes": ["industry_chain", "returnees"], "statuses": ["pilot", "designated"]},
        },
        {
            "id": "downtown_jobs",
            "title_zh": "中心城区街区年度带动就业不少于 300 人",
            "title_en": "A downtown street employs at least 300 people a year",
            "fact": "jobs_driven",
            "op": ">=",
            "value": 300,
            "level": "advisory",
            "effective_from": 2025,
            "appliesTo": {"districts": ["370102", "370103"]},
        },
    ]
)
"""City criteria that apply to some streets only, for the scoped run."""


def random_street(rng: random.Random) -> StreetFacts:
    """A street meeting each criterion most of the time, as applicants mostly do, with some gaps in data."""

    def usually(good: Callable[[], T], bad: Callable[[], T], failing: float = 0.12) -> T | None:
        draw = rng.random()
        return None if draw < 0.03 else bad() if draw < 0.03 + failing else good()

    def share(low: float, high: float) -> float:
        # Shares come from counts, so they are fractions with long decimal expansions, like 173 / 198.
        whole = rng.randint(100, 400)
        return rng.randint(round(low * whole), round(high * whole)) / whole

    return StreetFacts(
        operator_legal_person=usually(lambda: True, lambda: False, 0.02),
        operator_clean_record=usually(lambda: True, lambda: False, 0.02),
        operator_digital_platform=usually(lambda: True, lambda: False, 0.05),
        center_fixed_site=usually(lambda: True, lambda: False, 0.02),
        center_staff=usually(lambda: rng.randint(2, 8), lambda: rng.randint(0, 1)),
        center_one_stop=usually(lambda: True, lambda: False, 0.05),
        street_theme=usually(lambda: rng.choice(GOOD_THEMES), lambda: rng.choice(OTHER_THEMES)),
        internship_positions=usually(lambda: rng.randint(1, 20), lambda: 0, 0.08),
        entity_count=usually(lambda: rng.randint(100, 400), lambda: rng.randint(40, 99)),
        jobs_driven=usually(lambda: rng.randint(200, 1500), lambda: rng.randint(50, 199)),
        activities=usually(lambda: rng.randint(10, 40), lambda: rng.randint(0, 9)),
        activity_rate=usually(lambda: share(0.8, 1), lambda: share(0.5, 0.79)),
        satisfaction=usually(lambda: share(0.9, 1), lambda: share(0.6, 0.89)),
        satisfaction_responses=rng.randint(30, 300),
        entities_classified=usually(lambda: 1.0, lambda: share(0.9, 0.99), 0.08),
        ledger_coverage=usually(lambda: 1.0, lambda: share(0.8, 0.99), 0.1),
        followup_on_time=usually(lambda: share(0.9, 1), lambda: share(0.6, 0.89), 0.3),
        replicable_practice=usually(lambda: rng.randint(1, 4), lambda: 0, 0.3),
    )


def placed(rng: random.Random, street: StreetFacts) -> StreetFacts:
    """The street with a district, a status and a graduate share, for the criteria that apply to some streets."""
    graduates = rng.randint(0, 300)
    return msgspec.structs.replace(
        street,
        graduate_share=None if rng.random() < 0.03 else graduates / 300,
        street_district=rng.choice(DISTRICTS),
        street_status=rng.choice(STATUSES),
    )


def timed(run: Callable[[], list[Verdict]]) -> tuple[float, list[Verdict]]:
    start = time.perf_counter()
    verdicts = run()
    return time.perf_counter() - start, verdicts


def _by_engine(engine: Engine, ruleset: Ruleset, streets: Sequence[StreetFacts]) -> list[Verdict]:
    return asyncio.run(engine.evaluate_many(ruleset, streets))


def _by_plain(ruleset: Ruleset, streets: Sequence[StreetFacts]) -> list[Verdict]:
    return [evaluate_plain(ruleset, street) for street in streets]


def _by_engine_graded(
    engine: Engine, scheme: GradeScheme, ruleset: Ruleset, streets: Sequence[StreetFacts]
) -> list[Verdict]:
    """The engine's verdicts, each then graded as `services.assessments` grades what it stores."""
    verdicts = _by_engine(engine, ruleset, streets)
    grading = grader(scheme, ruleset)
    for verdict in verdicts:
        grading.grade(verdict)
    return verdicts


def measure(
    rulesets: Sequence[Ruleset], streets: Sequence[StreetFacts], batch_size: int, rounds: int, scheme: GradeScheme
) -> tuple[list[float], list[float]]:
    """Print the rates of each ruleset (engine, engine with grading, plain Python), check that the ways agree;
    the engine rates without and with grading.

    The rounds alternate between the ways and between the rulesets, and the best round of each counts, so
    that other work on the machine weighs on all alike and as little as possible.
    """
    engine = Engine(batch_size=batch_size)
    engine_best = [float("inf")] * len(rulesets)
    graded_best = [float("inf")] * len(rulesets)
    plain_best = [float("inf")] * len(rulesets)
    last: list[tuple[list[Verdict], list[Verdict]]] = []
    try:
        for ruleset in rulesets:
            engine.evaluate_many_sync(ruleset, streets[:batch_size])  # compile and warm up outside the timing
        for _ in range(rounds):
            last = []
            for n, ruleset in enumerate(rulesets):
                seconds, by_engine = timed(functools.partial(_by_engine, engine, ruleset, streets))
                engine_best[n] = min(engine_best[n], seconds)
                seconds, _ = timed(functools.partial(_by_engine_graded, engine, scheme, ruleset, streets))
                graded_best[n] = min(graded_best[n], seconds)
                seconds, by_plain = timed(functools.partial(_by_plain, ruleset, streets))
                plain_best[n] = min(plain_best[n], seconds)
                last.append((by_engine, by_plain))
    finally:
        engine.close()
    for ruleset, (by_engine, by_plain), engine_time, graded_time, plain_time in zip(
        rulesets, last, engine_best, graded_best, plain_best, strict=True
    ):
        if by_engine != by_plain:
            raise SystemExit("the engine and plain Python disagree")
        _report(ruleset, by_plain, len(streets), batch_size, engine_time, plain_time)
        grades = Counter(grader(scheme, ruleset).grade(v).grade for v in by_engine)
        print(f"  engine with grading:                       {len(streets) / graded_time:,.0f} evaluations/s")
        print(f"  grades: {dict(sorted(grades.items()))}")
    return [len(streets) / s for s in engine_best], [len(streets) / s for s in graded_best]


def _report(ruleset: Ruleset, verdicts: list[Verdict], streets: int, batch: int, engine: float, plain: float) -> None:
    failing = sum(r.result == "fail" for v in verdicts for r in v.criteria) / streets
    outcomes = {o: sum(v.outcome == o for v in verdicts) for o in ("pass", "fail", "incomplete")}
    scoped = sum(c.applies_to is not None for c in ruleset.criteria)
    print(f"{len(ruleset.criteria)} criteria, {scoped} of them applying to some streets only (appliesTo):")
    print(f"  streets: {streets}, batch: {batch}, failing criteria per street: {failing:.2f}, outcomes: {outcomes}")
    if scoped:
        not_applicable = sum(r.result == "not_applicable" for v in verdicts for r in v.criteria) / streets
        print(f"  criteria not applicable per street:        {not_applicable:.2f}")
    print(f"  durable_rules engine (with explanations): {streets / engine:,.0f} evaluations/s")
    print(f"  plain Python (with explanations):         {streets / plain:,.0f} evaluations/s")
    print(f"  engine time / plain time:                  {engine / plain:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--streets", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1000, help="streets per engine session")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds of each; the best one counts")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    rng = random.Random(args.seed)  # noqa: S311  # test data, not secrets
    streets = [placed(rng, random_street(rng)) for _ in range(args.streets)]
    baseline = load_baseline(2025)
    everywhere = tuple(msgspec.structs.replace(c, applies_to=None) for c in SCOPED)
    scheme = scheme_in_force(2025)
    assert scheme is not None  # the packaged scheme governs from 2024
    (unscoped, scoped, unlimited), (graded, scoped_graded, _) = measure(
        [
            effective_ruleset("bench", 2025, baseline, ()),
            effective_ruleset("bench", 2025, baseline, SCOPED),
            effective_ruleset("bench", 2025, baseline, everywhere),
        ],
        streets,
        args.batch,
        args.rounds,
        scheme,
    )
    print("engine rates, each against another of the same run:")
    print(f"  scoped criteria / the same criteria applying everywhere (goal ≥ 0.8): {scoped / unlimited:.2f}")
    print(f"  with grading / without, baseline only (goal ≥ 0.8):                  {graded / unscoped:.2f}")
    print(f"  scoped criteria and grading / the same criteria everywhere, ungraded: {scoped_graded / unlimited:.2f}")
    print(f"  20 criteria applying everywhere / the baseline's 17:                  {unlimited / unscoped:.2f}")
    print(f"  scoped criteria and grading / the baseline's 17, ungraded:            {scoped_graded / unscoped:.2f}")


if __name__ == "__main__":
    main()
