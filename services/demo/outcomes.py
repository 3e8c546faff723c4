"""The demo's support outcomes (帮扶成效): what the resolved ledger entries of a street achieved, by their need."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date
from typing import Final, NamedTuple

from services.demo.plans import Period

_LENDERS: Final = ("农业银行", "工商银行", "建设银行", "邮储银行", "农商银行", "齐鲁银行")


class Helped(NamedTuple):
    """A resolved ledger entry: its id, its entity and the day it joined, and its need."""

    entry_id: int
    entity_id: int
    joined_on: date
    need: str


def support_outcomes(
    tenant: str, street_id: int, spans: Sequence[Period], helped: Sequence[Helped], take_id: Callable[[], int]
) -> list[tuple[object, ...]]:
    """The ``ledger_outcomes`` rows (loading.COLUMNS order) of the street's resolved entries: a guaranteed loan for
    a loans need, a subsidy for a policy one, a rent reduction for premises, talent or interns, training places
    for HR. A generator of its own, seeded by the street, so that adding them left every other figure of the data
    set as it was."""
    rng = random.Random(f"ledger-outcomes:{tenant}:{street_id}")  # noqa: S311 - demo data
    caseworker, last = f"{tenant}-case", spans[-1].through
    rows: list[tuple[object, ...]] = []
    for entry in helped:
        achieved = min(max(rng.choice(spans).day(rng), entry.joined_on), last)
        wan = yuan = months = persons = graduates = youth = None
        lender: str | None = None
        if entry.need == "loans_financing":
            kind, wan, lender = "guaranteed_loan", rng.choice((10, 15, 20, 30, 50)), rng.choice(_LENDERS)
        elif entry.need == "policy":
            kind, yuan = "startup_subsidy", rng.choice((5000, 10000, 12000))
        elif entry.need == "premises":
            kind, months = "rent_reduction", rng.choice((3, 6, 12))
            yuan = months * rng.randrange(1000, 4000, 500)
        elif entry.need == "talent" and rng.random() < 0.5:
            kind, graduates, youth = "interns_taken", rng.randint(1, 3), rng.randint(0, 1)
        elif entry.need == "talent":
            kind, persons = "talent_placed", rng.randint(1, 3)
        elif entry.need == "hr":
            kind, persons = "training_places", rng.randint(1, 6)
        else:
            continue
        rows.append(
            (
                tenant,
                take_id(),
                entry.entry_id,
                entry.entity_id,
                street_id,
                kind,
                achieved,
                wan,
                yuan,
                lender,
                months,
                persons,
                graduates,
                youth,
                "",
                caseworker,
            )
        )
    return rows
