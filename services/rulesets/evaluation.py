"""Judging streets by rulesets: through the engine in this process, or in a worker process for a caller's proposal,
and what changed between two verdicts on a street."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import msgspec
from sqlmodel.ext.asyncio.session import AsyncSession

from infra.workers import WorkerError, WorkerPool
from rules.engine import Engine, EngineError, evaluate_isolated
from rules.facts import FactError, StreetFacts
from rules.grades import Graded, GradeScheme, grade
from rules.overlay import Ruleset
from rules.verdict import CriterionResult, Verdict
from services.errors import InvalidError
from services.rulesets import schemas
from services.rulesets.sources import invalid
from services.shared.names import street_names
from services.text import Text
from tenants.ids import TenantId

_ENGINE_FAILED = Text("规则引擎无法评价该规则集：{zh}", "the rules engine cannot evaluate this ruleset: {en}")


async def evaluate(engine: Engine, ruleset: Ruleset, streets: Sequence[StreetFacts]) -> list[Verdict]:
    """The verdicts on the streets through the engine; a street fact of the wrong type is a 422 naming it."""
    try:
        return await engine.evaluate_many(ruleset, streets)
    except FactError as exc:
        raise invalid(exc) from exc


def _asked(result: CriterionResult | None) -> str:
    return "pass" if result is None or result.result == "not_applicable" else result.result


def changed(before: Verdict, after: Verdict) -> list[schemas.CriterionChange]:
    was: dict[str, CriterionResult] = {r.id: r for r in before.criteria}
    now: dict[str, CriterionResult] = {r.id: r for r in after.criteria}
    changes = []
    for cid in dict.fromkeys((*was, *now)):
        old, new = was.get(cid), now.get(cid)
        # A criterion the street is not judged by (absent, or outside its scope) asks nothing of it: as far
        # as the street goes, a pass.
        if _asked(old) == _asked(new):
            continue
        either = new if new is not None else old
        assert either is not None  # the id came from one of the two
        changes.append(
            schemas.CriterionChange(
                id=cid,
                title_zh=either.title_zh,
                title_en=either.title_en,
                before=old.result if old else None,
                after=new.result if new else None,
                actual=either.actual,
                required_before=old.required if old else None,
                required_after=new.required if new else None,
            )
        )
    return changes


class Judged(NamedTuple):
    """The streets' verdicts under a ruleset, in the order of their ids, and their grades where a scheme grades
    the year."""

    ruleset: Ruleset
    verdicts: Sequence[Verdict]

    def graded(self, scheme: GradeScheme | None) -> list[Graded | None]:
        return [None if scheme is None else grade(scheme, self.ruleset, v) for v in self.verdicts]


async def street_changes(
    session: AsyncSession,
    tenant: TenantId,
    street_ids: Sequence[int],
    before: Judged,
    after: Judged,
    scheme: GradeScheme | None,
) -> list[schemas.StreetChange]:
    """The streets (of `street_ids`, judged `before` and `after` in that order) whose outcome, a criterion's
    result or the yearly grade by `scheme` differs, by name."""
    moved = [
        (street_id, old, new, criteria, old_grade, new_grade)
        for street_id, old, new, old_grade, new_grade in zip(
            street_ids, before.verdicts, after.verdicts, before.graded(scheme), after.graded(scheme), strict=True
        )
        if (criteria := changed(old, new))
        or old.outcome != new.outcome
        or (old_grade is not None and new_grade is not None and old_grade.grade != new_grade.grade)
    ]
    names = await street_names(session, tenant, [street_id for street_id, *_ in moved])
    return [
        schemas.StreetChange(
            street_id=street_id,
            street_name=names[street_id],
            before=old.outcome,
            after=new.outcome,
            criteria=criteria,
            grade_before=old_grade.grade if old_grade else None,
            grade_after=new_grade.grade if new_grade else None,
            score_before=old_grade.score if old_grade else None,
            score_after=new_grade.score if new_grade else None,
        )
        for street_id, old, new, criteria, old_grade, new_grade in moved
    ]


async def evaluate_in_worker(
    pool: WorkerPool, rulesets: Sequence[Ruleset], streets: Sequence[StreetFacts]
) -> list[list[Verdict]]:
    """The verdicts under each ruleset from a worker process; WorkerTimeoutError (a 503) passes through.

    An engine failure on the rulesets (durable-rules errors 108, 303, a crash) is a 422 saying so.
    """
    # A TenantId is made by the resolver alone, so the worker gets the tenant as plain text.
    plain = [msgspec.structs.replace(ruleset, tenant=str(ruleset.tenant)) for ruleset in rulesets]
    try:
        return (await pool.run(evaluate_isolated, plain, streets)).unwrap()
    except FactError as exc:
        raise invalid(exc) from exc
    except EngineError as exc:
        raise InvalidError(_ENGINE_FAILED.format(zh=exc.message_zh, en=exc.message_en)) from exc
    except WorkerError as exc:
        raise InvalidError(_ENGINE_FAILED.format(zh=exc.reason, en=exc.reason)) from exc
