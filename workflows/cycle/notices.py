"""The wording of the cycle's notices (designation, rectification, retention, revocation) and their dedupe keys."""

from __future__ import annotations

from datetime import date
from typing import Final, Literal

from services.notifications.schemas import Audience, Message

NoticeKind = Literal["designated", "rectification", "retained", "revoked"]
AUDIENCES: Final[tuple[Audience, ...]] = ("city_admins", "street_operators")
"""The city's admins decide what follows; the street's operator has to act on it."""


def notice_key(kind: NoticeKind, street_id: int, year: int) -> str:
    """``cycle-{kind}:{street}:{year}``: one event per street, year and kind, however often it is retried."""
    return f"cycle-{kind}:{street_id}:{year}"


def notice(kind: NoticeKind, street_id: int, name: str, year: int, due_on: date | None = None) -> Message:
    """The message of a status change the cycle made."""
    if kind == "designated":
        return Message(
            kind="street_designated",
            title_zh=f"试点认定：{name}入选{year}年省级创业街区试点",
            title_en=f"Designated: {name} is a {year} provincial pilot street",
            body_zh=f"{name}已被省人社厅认定为{year}年省级创业街区试点，请按月报送数据，年底将进行复评。",
            body_en=f"The province has designated {name} a {year} pilot entrepreneurship street. Monthly "
            "reports are due, and the street is re-evaluated at year end.",
            street_id=street_id,
        )
    if kind == "rectification":
        due_zh, due_en = (f"{due_on.year}年{due_on.month}月{due_on.day}日", due_on.isoformat()) if due_on else ("", "")
        return Message(
            kind="street_rectification",
            title_zh=f"限期整改：{name}{year}年度复评未通过",
            title_en=f"Rectification: {name} did not pass the {year} re-evaluation",
            body_zh=f"{name}未达到{year}年度评价要求，请于{due_zh}前完成整改，届时将重新评估，未通过将撤销认定。",
            body_en=f"{name} did not meet the {year} requirements. Rectify by {due_en}; the street is then "
            "re-assessed, and its designation is revoked if it fails again.",
            street_id=street_id,
        )
    if kind == "retained":
        return Message(
            kind="street_retained",
            title_zh=f"保留认定：{name}通过{year}年度评价",
            title_en=f"Retained: {name} passed the {year} assessment",
            body_zh=f"{name}通过{year}年度评价，保留省级创业街区认定。",
            body_en=f"{name} passed the {year} assessment and remains a provincial entrepreneurship street.",
            street_id=street_id,
        )
    return Message(
        kind="street_revoked",
        title_zh=f"撤销认定：{name}整改后复评仍未通过",
        title_en=f"Revoked: {name} failed its re-assessment after rectification",
        body_zh=f"{name}在{year}年度评价整改期满后重新评估仍未通过，撤销省级创业街区认定。",
        body_en=f"{name} failed its re-assessment after the {year} rectification period; its designation is revoked.",
        street_id=street_id,
    )
