"""The annual cycle (年度流程, DESIGN.md): the province's pilot selection, each city's year, and the re-evaluation.

One workflow per module: ``selection`` (``SelectionWorkflow``), ``city_cycle`` (``CityCycleWorkflow``),
``reevaluation`` (``ReevaluationWorkflow``) and ``scheduled_reevaluation`` (``ScheduledReevaluationWorkflow``);
the steps they share in ``steps``; all I/O in ``activities`` (their work on streets in ``streets``, what they
take and give in ``payloads``); names, inputs and views in ``schemas``.

Statuses: the province's designation makes a street a ``pilot`` (试点); a pilot that passes its year-end
re-evaluation becomes ``designated`` (retained as a provincial street), as does a street that passes its
re-assessment after rectification; a designated street that passes stays ``designated``. Recommended
streets the province does not designate go back to ``applied`` and may apply again next year.

A new year runs under its own id ``cycle:{tenant}:{year+1}``. ``workflow.continue_as_new`` keeps the
workflow id, so the next year would run as ``cycle:{tenant}:{year}`` and the deterministic per-year ids
would be lost; instead the closing year starts the next one through an activity (a new workflow with a
fresh history, like continue-as-new, and not a child: the years form a chain, not a tree). A year's
children (its streets' tracking, its follow-up sweep, its re-evaluation) are awaited before its run
completes, because their work ends after the year's phases do (December's report is due in January, a
rectification runs its full period); no child outlives its parent. Every start by id uses
ALLOW_DUPLICATE_FAILED_ONLY, so a second start of a running or completed year (by the schedule, the API
or a restarted parent) is refused, and only a failed or terminated one may run again.

Workflow code reads only workflow time.
"""
