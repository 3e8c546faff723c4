"""The daily housekeeping workflow, started by a Temporal Schedule: purge stale sign-in throttle rows, bring
the province reports' summary up to date so that the day's first reports find little to recompute, and
verify the audit trail's hash chains (a break is told to the province's admins)."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    import msgspec

    from tenants.calendar import china_today
    from workflows.heartbeats import HEARTBEAT_TIMEOUT, LONG_TIMEOUT, SHORT_TIMEOUT
    from workflows.housekeeping.activities import (
        AuditActivities,
        HousekeepingActivities,
        PurgeInput,
        RefreshInput,
        ReportActivities,
    )


class HousekeepingResult(msgspec.Struct, frozen=True, kw_only=True):
    purged: int
    """Sign-in throttle rows deleted."""
    refreshed: int
    """Streets whose report summary was recomputed."""
    broken: tuple[str, ...] = ()
    """Tenants whose audit chain did not verify."""


@workflow.defn(name="Housekeeping")
class HousekeepingWorkflow:
    @workflow.run
    async def run(self, params: PurgeInput) -> HousekeepingResult:
        purged = await workflow.execute_activity_method(
            HousekeepingActivities.purge_login_throttle, params, start_to_close_timeout=SHORT_TIMEOUT
        )
        refreshed = await workflow.execute_activity_method(
            ReportActivities.refresh_report_summaries,
            RefreshInput(day=china_today(workflow.now())),
            start_to_close_timeout=LONG_TIMEOUT,
            heartbeat_timeout=HEARTBEAT_TIMEOUT,
        )
        broken: tuple[str, ...] = ()
        if workflow.patched("verify-audit-chains"):
            broken = await workflow.execute_activity_method(
                AuditActivities.verify_audit_chains,
                start_to_close_timeout=LONG_TIMEOUT,
                heartbeat_timeout=HEARTBEAT_TIMEOUT,
            )
        return HousekeepingResult(purged=purged, refreshed=refreshed, broken=broken)
