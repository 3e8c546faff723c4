"""``SelectionWorkflow`` (``selection:{province}:{year}``) gathers the cities' recommendations (a signal, sent
with start by the first city), ranks them (query) and takes the province's designation (an Update validated
against the target and the screening verdicts; an override needs a reason).
"""

from __future__ import annotations

import asyncio

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from tenants.calendar import year_start
    from workflows.cycle.activities import CycleActivities
    from workflows.cycle.payloads import AnnounceInput, DesignateInput, Moved, TargetInput
    from workflows.cycle.schemas import (
        DESIGNATE,
        RECOMMENDATIONS,
        SELECTION,
        VIEW,
        Candidate,
        CityRecommendations,
        Designation,
        SelectionInput,
        SelectionPhase,
        SelectionView,
        ranked,
    )
    from workflows.cycle.steps import post_notices, rejected, run_activity, until, upsert


@workflow.defn(name=SELECTION)
class SelectionWorkflow:
    """The province's selection of a year's pilots from the cities' recommendations."""

    @workflow.init
    def __init__(self, params: SelectionInput) -> None:
        self.province = params.province
        self.year = params.year
        self.phase: SelectionPhase = "recommendation"
        self.target: int | None = None
        self.candidates: dict[str, tuple[Candidate, ...]] = {}
        self.designated: tuple[Candidate, ...] = ()
        self.override_reason: str | None = None
        self.lock = asyncio.Lock()

    @workflow.run
    async def run(self, _params: SelectionInput) -> SelectionView:
        upsert(self.province, self.year, self.phase)
        self.target = await run_activity(CycleActivities.selection_target, TargetInput(province=self.province))
        # Without a designation by the end of the year, the selection closes with none.
        await until(year_start(self.year + 1), lambda: self.phase == "closed")
        await workflow.wait_condition(workflow.all_handlers_finished)
        if self.phase != "closed":
            await self._close(())
        return self.view()

    @workflow.signal(name=RECOMMENDATIONS)
    def recommendations(self, city: CityRecommendations) -> None:
        if self.phase == "recommendation":
            self.candidates[city.tenant] = city.candidates

    @workflow.query(name=VIEW)
    def view(self) -> SelectionView:
        return SelectionView(
            workflow_id=workflow.info().workflow_id,
            province=self.province,
            year=self.year,
            phase=self.phase,
            target=self.target,
            ranking=tuple(ranked([c for city in self.candidates.values() for c in city])),
            designated=self.designated,
            override_reason=self.override_reason,
        )

    @workflow.update(name=DESIGNATE)
    async def designate(self, designation: Designation) -> SelectionView:
        # The target comes from an activity at the start; a designation that arrives first waits for it.
        await workflow.wait_condition(lambda: self.target is not None)
        async with self.lock:
            chosen = self._checked(designation)  # again: the validator may have run before the target was known
            moved: tuple[Moved, ...] = await run_activity(
                CycleActivities.designate,
                DesignateInput(
                    province=self.province,
                    year=self.year,
                    streets=chosen,
                    designated_by=designation.designated_by,
                    target=self.target or 0,
                    override_reason=designation.override_reason,
                ),
            )
            await self._close(chosen, designation.override_reason)
        await post_notices(moved, "designated", self.year)
        return self.view()

    @designate.validator
    def check_designation(self, designation: Designation) -> None:
        self._checked(designation)

    def _checked(self, designation: Designation) -> tuple[Candidate, ...]:
        """The designated candidates, if the designation is admissible: an override needs a reason."""
        if self.phase == "closed":
            raise rejected(f"{self.year} 年评选已结束", f"the {self.year} selection has closed")
        chosen = self._chosen(designation)
        if (designation.override_reason or "").strip() or self.target is None:
            return chosen
        if len(chosen) > self.target:
            raise rejected(
                f"认定 {len(chosen)} 个超过年度目标 {self.target} 个，须填写认定理由（overrideReason）",
                f"designating {len(chosen)} exceeds the year's target of {self.target}: an overrideReason is required",
            )
        not_passing = [c for c in chosen if c.outcome != "pass"]
        if not_passing:
            zh = "、".join(f"{c.name}（{c.street_id}）" for c in not_passing)
            en = ", ".join(f"{c.street_id} ({c.outcome})" for c in not_passing)
            raise rejected(
                f"街区 {zh} 初审未通过，认定须填写认定理由（overrideReason）",
                f"streets {en} did not pass screening: designating them requires an overrideReason",
            )
        return chosen

    def _chosen(self, designation: Designation) -> tuple[Candidate, ...]:
        """The recommended candidates the designation names; an unknown or repeated id is refused."""
        if not designation.street_ids:
            raise rejected("请至少认定一个街区", "designate at least one street")
        if len(set(designation.street_ids)) != len(designation.street_ids):
            raise rejected("街区重复", "a street is named twice")
        # Street ids come from one identity sequence, so an id names one street across all cities.
        by_id = {c.street_id: c for city in self.candidates.values() for c in city}
        unknown = [street_id for street_id in designation.street_ids if street_id not in by_id]
        if unknown:
            ids = ", ".join(map(str, unknown))
            raise rejected(
                f"街区 {ids} 不在各市的推荐名单中", f"streets {ids} are not among the cities' recommendations"
            )
        return tuple(by_id[street_id] for street_id in designation.street_ids)

    async def _close(self, chosen: tuple[Candidate, ...], override_reason: str | None = None) -> None:
        await run_activity(
            CycleActivities.announce_selection,
            AnnounceInput(province=self.province, year=self.year, designated=chosen),
        )
        self.designated = chosen
        self.override_reason = override_reason
        self.phase = "closed"
        upsert(self.province, self.year, self.phase)
