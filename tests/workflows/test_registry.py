"""The worker registers the activities the workflows call, and only those."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import cast

from temporalio.client import Client

from services.context import AppContext
from workflows.worker import activities

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


def called_activities() -> set[str]:
    """``SomeActivities.method`` as the workflow code names it (execute_activity_method's first argument)."""
    cycle = ("selection", "city_cycle", "reevaluation", "scheduled_reevaluation", "steps")  # a workflow a module
    sources = [
        *WORKFLOWS.glob("*/workflows.py"),
        *(WORKFLOWS / "cycle" / f"{name}.py" for name in cycle),
        WORKFLOWS / "notifications" / "steps.py",
    ]
    named = set()
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id.endswith("Activities")
            ):
                named.add(f"{node.value.id}.{node.attr}")
    return named


async def test_every_registered_activity_is_called_and_every_called_one_registered(context: AppContext) -> None:
    registered = {method.__qualname__ for method in activities(context, cast(Client, None))}
    called = called_activities()
    assert "NotificationActivities.send_webhook" in called  # the walk finds the calls
    assert registered == called
