"""The annual cycle as its page tells it: the phases with their dates, where the cycle is and what it waits
for, and the consequences of starting it or changing the application window, said before they are confirmed.

Pure functions of what the cycle's services answered, so the wording is tested without Temporal and the
template only prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from services.cycles.schemas import Candidate, Cycle, YearEnd
from services.text import Text, counted
from workflows.cycle.schemas import OUTCOME_RANK

StepState = Literal["done", "current", "ahead", "skipped"]

STEPS: Final[tuple[tuple[str, Text], ...]] = (
    ("application", Text("申报", "Applications")),
    ("screening", Text("初审", "Screening")),
    ("recommendation", Text("市级推荐", "City recommendation")),
    ("designation", Text("省级认定", "Province designation")),
    ("tracking", Text("跟踪", "Tracking")),
    ("reevaluation", Text("年度复评", "Re-evaluation")),
    ("rectification", Text("整改", "Rectification")),
)


@dataclass(frozen=True)
class Step:
    """One phase on the timeline: its name, its dates, whether it is past, now or to come, and, for the
    phase the cycle is in, what it waits for."""

    key: str
    name: Text
    when: Text
    state: StepState
    waits: Text | None = None


def current_step(cycle: Cycle, year_end: YearEnd | None) -> str | None:
    """The step the cycle is at; None once the year and any rectification are over."""
    if year_end is not None and year_end.phase == "rectification":
        return "rectification"
    if cycle.phase == "recommendation":
        return "designation" if cycle.recommendations else "recommendation"
    if cycle.phase == "closed":
        return None
    return cycle.phase


def _when(cycle: Cycle, year_end: YearEnd | None) -> dict[str, Text]:
    year = cycle.year
    window = cycle.application_window
    opens, closes = (str(window.opens), str(window.closes)) if window else ("—", "—")
    due = year_end.rectification_due if year_end is not None else None
    due_on = {d.kind: d.due_on for d in cycle.due}
    reevaluation = str(due_on.get("reevaluation", date(year, 12, 31)))
    return {
        "application": Text(f"{opens} 至 {closes}", f"{opens} to {closes}"),
        "screening": Text(f"{closes} 申报截止后", f"after applications close on {closes}"),
        "recommendation": Text("初审完成后", "once screening is done"),
        "designation": Text(f"{year}-12-31 前", f"by {year}-12-31"),
        "tracking": Text(f"认定后至 {year}-12-31，每月报告", f"from designation to {year}-12-31, monthly reports"),
        "reevaluation": Text(f"{reevaluation} 年末", f"at year end, {reevaluation}"),
        "rectification": Text(f"整改至 {due}", f"until {due}")
        if due
        else Text("复评未通过的街区限期整改", "for streets failing the re-evaluation"),
    }


def _waits(cycle: Cycle, step: str, year_end: YearEnd | None) -> Text:
    window = cycle.application_window
    closes = str(window.closes) if window else "—"
    count = len(cycle.applications)
    waits = {
        "application": Text(
            f"等待运营机构在窗口内申报，{closes} 截止；已收到 {count} 份申报",
            f"waiting for operators to apply within the window, which closes on {closes}; "
            f"{counted(count, 'application')} so far",
        ),
        "screening": Text(
            f"正在按本市 {cycle.year} 年评价规则初审 {count} 份申报",
            f"screening {counted(count, 'application')} with the city's {cycle.year} rules",
        ),
        "recommendation": Text(
            "等待市级管理员从初审街区中推荐（见下方推荐表）",
            "waiting for the city admin to recommend screened streets (the form below)",
        ),
        "designation": Text(
            f"已推荐 {len(cycle.recommendations)} 个街区，等待省厅认定",
            f"{counted(len(cycle.recommendations), 'street')} recommended; waiting for the province to designate",
        ),
        "tracking": Text(
            f"跟踪 {len(cycle.tracked)} 个街区的月报，{cycle.year}-12-31 进行年度复评",
            f"tracking the monthly reports of {counted(len(cycle.tracked), 'street')}; "
            f"re-evaluation on {cycle.year}-12-31",
        ),
        "reevaluation": Text(
            "正在用本年度规则复评已认定街区", "re-evaluating the designated streets with the year's rules"
        ),
        "rectification": Text(
            f"{len(year_end.rectification) if year_end else 0} 个街区整改至 "
            f"{year_end.rectification_due if year_end else '—'}，届时再评：通过则保留，否则撤销",
            f"{counted(len(year_end.rectification) if year_end else 0, 'street')} in rectification until "
            f"{year_end.rectification_due if year_end else '—'}; then re-assessed: retained if they pass, else revoked",
        ),
    }
    return waits[step]


def timeline(cycle: Cycle, year_end: YearEnd | None) -> list[Step]:
    """The seven phases of the year in order, each with its dates and its state."""
    now = current_step(cycle, year_end)
    keys = [key for key, _ in STEPS]
    at = keys.index(now) if now is not None else len(keys)
    when = _when(cycle, year_end)
    steps: list[Step] = []
    for index, (key, name) in enumerate(STEPS):
        state: StepState = "done" if index < at else "current" if index == at else "ahead"
        if key == "rectification" and now is None and not (year_end and year_end.rectification):
            state = "skipped"  # every street passed: no rectification this year
        steps.append(Step(key, name, when[key], state, _waits(cycle, key, year_end) if index == at else None))
    return steps


def closed_note(cycle: Cycle) -> Text | None:
    """What a finished year says instead of a step it waits for."""
    if cycle.phase != "closed":
        return None
    return Text(
        f"{cycle.year} 年度流程已结束，{cycle.year + 1} 年度流程已自动启动",
        f"the {cycle.year} cycle has closed; the {cycle.year + 1} cycle has started on its own",
    )


def ranking(screening: list[Candidate]) -> list[Candidate]:
    """The screened streets in the order the province ranks recommendations: outcome, then criteria passed."""
    return sorted(screening, key=lambda c: (OUTCOME_RANK[c.outcome], -c.passed, c.street_id))


def start_consequences(year: int, window: tuple[date, date] | None, problem: Text | None) -> list[Text]:
    """What starting the year's cycle does, said before the city admin confirms it."""
    if window is None:
        return [problem or Text("本市申报窗口配置有误", "the city's application window is not valid")]
    opens, closes = window
    return [
        Text(
            f"申报窗口：{opens} 至 {closes}（本市配置），运营机构和市级管理员在窗口内申报街区。",
            f"Application window: {opens} to {closes} (the city's configuration); operators and the city admin "
            "apply streets within it.",
        ),
        Text(
            f"{closes} 申报截止后，系统按本市 {year} 年评价规则自动初审每份申报。",
            f"When applications close on {closes}, each application is screened with the city's {year} rules.",
        ),
        Text(
            "初审后由市级管理员推荐街区报省厅认定；认定的街区按月跟踪月报，逾期提醒并上报经办人员。",
            "After screening the city admin recommends streets to the province; designated streets are tracked "
            "monthly, with reminders and escalation for missing reports.",
        ),
        Text(
            f"{year}-12-31 用当年规则复评：通过则保留，未通过则限期整改，整改后仍未通过则撤销；"
            "随后自动启动下一年度流程。",
            f"On {year}-12-31 they are re-evaluated with that year's rules: retained, or rectification with a due "
            "date and then retained or revoked; the next year's cycle then starts on its own.",
        ),
        Text("重复启动不会产生第二个流程。", "Starting again does not make a second cycle."),
    ]


def window_consequences(year: int, cycle: Cycle | None, new: tuple[date, date], today: date) -> list[Text]:
    """What saving the window `new` (as dates of `year`) does to the year's cycle, said before it is confirmed.

    The running cycle decides (its ``configure`` Update); this says what it will decide by the same rule, and
    the page shows the cycle's own reason if it refuses.
    """
    start, end = new
    lines: list[Text] = []
    if cycle is None:
        lines.append(
            Text(
                f"{year} 年度流程尚未启动：启动时将使用新窗口 {start} 至 {end}。",
                f"The {year} cycle has not started: it will use the new window {start} to {end} when it starts.",
            )
        )
    elif cycle.phase == "application":
        if end < today:
            lines.append(
                Text(
                    f"{year} 年申报正在进行，新的截止日 {end} 已过：流程会拒绝此修改，配置不会保存。",
                    f"Applications for {year} are open and the new closing day {end} has passed: the cycle will "
                    "refuse the change and nothing is saved.",
                )
            )
        else:
            lines.append(
                Text(
                    f"{year} 年申报正在进行：窗口立即改为 {start} 至 {end}，{end} 截止后开始初审。",
                    f"Applications for {year} are open: the window becomes {start} to {end} at once, and screening "
                    f"starts after {end}.",
                )
            )
    else:
        closed = cycle.application_window.closes if cycle.application_window else "—"
        if end >= today:
            lines.append(
                Text(
                    f"{year} 年申报已于 {closed} 截止并已初审：流程会拒绝重新开放申报，配置不会保存"
                    f"（可在 {end} 之后保存）。",
                    f"Applications for {year} closed on {closed} and were screened: the cycle will refuse to reopen "
                    f"them and nothing is saved (save it after {end}).",
                )
            )
        else:
            lines.append(
                Text(
                    f"{year} 年申报已于 {closed} 截止：本年度不受影响，新窗口自下一年度起生效。",
                    f"Applications for {year} closed on {closed}: this year is unaffected, the new window applies "
                    "from next year.",
                )
            )
    lines.append(
        Text(
            "以后每个年度流程启动时都读取这一窗口；修改记入审计日志。",
            "Every later cycle reads this window when it starts; the change is recorded in the audit log.",
        )
    )
    return lines
