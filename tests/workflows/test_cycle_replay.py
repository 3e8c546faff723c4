"""Recorded histories of the cycle's workflows replay against today's workflow code: a change that breaks
determinism (a new activity, timer or child in the middle, a reordered step) fails here before it fails a
running year. Re-record with ``JIEQU_RECORD_HISTORIES=1 pytest tests/workflows/test_cycle_year.py
tests/workflows/test_cycle_schedules.py tests/workflows/test_cycle_settings.py
tests/workflows/test_reevaluation_grades.py`` only when a change is meant
to be incompatible — and then version it (``workflow.patched``) so that running years keep their old path."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from infra.temporal import DATA_CONVERTER
from tests.workflows.cycle_fixtures import HISTORIES
from workflows.worker import WORKFLOWS

RECORDED = sorted(HISTORIES.glob("*.json"))


def test_histories_are_recorded() -> None:
    names = {path.stem for path in RECORDED}
    expected = {
        "selection",
        "cycle_jinan",
        "cycle_configured",
        "reevaluation_revoked",
        "reevaluation_retained",
        "scheduled_reevaluation",
        "reevaluation_revocation_proposed",
    }
    assert expected <= names


@pytest.mark.parametrize("path", RECORDED, ids=[path.stem for path in RECORDED])
async def test_history_replays(path: Path) -> None:
    recorded = await asyncio.to_thread(path.read_text, encoding="utf-8")
    history = WorkflowHistory.from_json(path.stem, recorded)
    replayer = Replayer(workflows=WORKFLOWS, data_converter=DATA_CONVERTER)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{path.name}: {result.replay_failure!r}"
