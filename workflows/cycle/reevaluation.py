"""``ReevaluationWorkflow`` (``reeval:{tenant}:{year}``) judges the city's pilots and designated streets with the
year's rules: a pass is retained, anything else opens rectification (整改) for the city's rectification period,
then a re-assessment retains or revokes. A street graded D (不合格) this year and last is put to the province for
a decision on revocation (the city and the province are told); the workflow does not revoke it for that.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Final

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from services.notifications.messages import NoticeKind
    from services.streets.schemas import StreetStatus
    from tenants.calendar import china_today
    from workflows.cycle.activities import CycleActivities
    from workflows.cycle.payloads import (
        AssessInput,
        NoticeSpec,
        OpeningInput,
        ProposalInput,
        ProposalResult,
        ReevaluationOpening,
        StatusInput,
        StatusResult,
    )
    from workflows.cycle.schemas import (
        REEVALUATED,
        REEVALUATION,
        VIEW,
        AssessmentKind,
        Candidate,
        Reevaluated,
        ReevaluationInput,
        ReevaluationPhase,
        ReevaluationView,
        RevocationProposed,
        cycle_id,
    )
    from workflows.cycle.steps import post_notices, run_activity, upsert
    from workflows.notifications.steps import send_webhook

REVOCATION_PROPOSALS: Final = "revocation-proposals"
"""The patch that added the two-D proposals: histories recorded before it replay without the activity."""


@workflow.defn(name=REEVALUATION)
class ReevaluationWorkflow:
    """A city's year-end re-evaluation of its pilots and designated streets, with rectification."""

    @workflow.init
    def __init__(self, params: ReevaluationInput) -> None:
        self.tenant = params.tenant
        self.year = params.year
        self.phase: ReevaluationPhase = "assessing"
        self.assessed: tuple[Candidate, ...] = ()
        self.retained: tuple[int, ...] = ()
        self.rectification: tuple[int, ...] = ()
        self.rectification_due: date | None = None
        self.reassessed: tuple[Candidate, ...] = ()
        self.revoked: tuple[int, ...] = ()
        self.revocation_proposed: tuple[RevocationProposed, ...] = ()

    @workflow.run
    async def run(self, _params: ReevaluationInput) -> ReevaluationView:
        upsert(self.tenant, self.year, self.phase)
        opening: ReevaluationOpening = await run_activity(
            CycleActivities.reevaluation_opening, OpeningInput(tenant=self.tenant, year=self.year)
        )
        self.assessed = await self._assess(opening.street_ids, "annual")
        if self.assessed and workflow.patched(REVOCATION_PROPOSALS):
            await self._propose_revocations(tuple(c.street_id for c in self.assessed))
        passing = tuple(c.street_id for c in self.assessed if c.outcome == "pass")
        failing = tuple(c.street_id for c in self.assessed if c.outcome != "pass")
        # "No data" is never a pass (POLICY.md): an incomplete street is rectified like a failing one.
        passed = "年度评价通过 / passed the annual assessment"
        self.retained = await self._move(passing, "designated", "retained", passed)
        due = china_today(workflow.now()) + timedelta(days=opening.rectification_days)
        self.rectification = await self._move(
            failing, "rectification", "rectification", "年度复评未通过，限期整改 / failed the annual re-evaluation", due
        )
        self.rectification_due = due if self.rectification else None
        await self._report()
        if self.rectification:
            self.phase = "rectification"
            upsert(self.tenant, self.year, self.phase)
            await workflow.sleep(timedelta(days=opening.rectification_days))
            self.reassessed = await self._assess(self.rectification, "rectification")
            fixed = tuple(c.street_id for c in self.reassessed if c.outcome == "pass")
            still = tuple(c.street_id for c in self.reassessed if c.outcome != "pass")
            passed = "整改后通过 / passed after rectification"
            self.retained += await self._move(fixed, "designated", "retained", passed)
            failed = "整改后仍未通过 / failed after rectification"
            self.revoked = await self._move(still, "revoked", "revoked", failed)
        self.phase = "closed"
        upsert(self.tenant, self.year, self.phase)
        return self.view()

    async def _assess(self, street_ids: tuple[int, ...], kind: AssessmentKind) -> tuple[Candidate, ...]:
        if not street_ids:
            return ()
        result: tuple[Candidate, ...] = await run_activity(
            CycleActivities.assess, AssessInput(tenant=self.tenant, year=self.year, street_ids=street_ids, kind=kind)
        )
        return result

    async def _propose_revocations(self, street_ids: tuple[int, ...]) -> None:
        """Put the streets graded D this year and last to the province, and post the notices to the webhooks."""
        result: ProposalResult = await run_activity(
            CycleActivities.propose_revocations,
            ProposalInput(tenant=self.tenant, year=self.year, street_ids=street_ids),
        )
        self.revocation_proposed = result.proposed
        await asyncio.gather(*(send_webhook(hook) for hook in result.webhooks))

    async def _move(
        self,
        street_ids: tuple[int, ...],
        status: StreetStatus,
        kind: NoticeKind,
        reason: str,
        due: date | None = None,
    ) -> tuple[int, ...]:
        if not street_ids:
            return ()
        changed: StatusResult = await run_activity(
            CycleActivities.change_status,
            StatusInput(
                tenant=self.tenant,
                street_ids=street_ids,
                status=status,
                reason=reason,
                notice=NoticeSpec(kind=kind, year=self.year, due_on=due),
            ),
        )
        await post_notices(changed.moved, kind, self.year, due)
        return changed.now

    async def _report(self) -> None:
        """Tell the city's cycle the verdicts; a city re-evaluated by the schedule alone may have no cycle."""
        handle = workflow.get_external_workflow_handle(cycle_id(self.tenant, self.year))
        try:
            await handle.signal(
                REEVALUATED,
                Reevaluated(
                    retained=self.retained, rectification=self.rectification, rectification_due=self.rectification_due
                ),
            )
        except ApplicationError:
            workflow.logger.info("no running cycle %s to report to", cycle_id(self.tenant, self.year))

    @workflow.query(name=VIEW)
    def view(self) -> ReevaluationView:
        return ReevaluationView(
            workflow_id=workflow.info().workflow_id,
            tenant=self.tenant,
            year=self.year,
            phase=self.phase,
            assessed=self.assessed,
            retained=self.retained,
            rectification=self.rectification,
            rectification_due=self.rectification_due,
            reassessed=self.reassessed,
            revoked=self.revoked,
            revocation_proposed=self.revocation_proposed,
        )
