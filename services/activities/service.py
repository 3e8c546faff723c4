"""Activities of a street: list, record one, or import many (all rows or none)."""

from __future__ import annotations

from services import models
from services.activities.schemas import ACTIVITY_COLUMNS, Activity, ActivityCreate
from services.shared.checks import FieldProblem, found, future_date
from services.streets.records import StreetRecords


def activity_problems(data: ActivityCreate) -> list[FieldProblem]:
    # Only activities already held count towards the year's figure (POLICY 二(三)).
    return found(future_date("heldOn", data.held_on))


ACTIVITIES = StreetRecords(
    models.Activity,
    models.Activity.held_on,
    Activity,
    ActivityCreate,
    activity_problems,
    ACTIVITY_COLUMNS,
    action="activity",
    object_type="activity",
)
"""A street's activities, newest first; each one is checked as a file's row is."""

list_activities = ACTIVITIES.list
create_activity = ACTIVITIES.create
import_activities = ACTIVITIES.import_file
