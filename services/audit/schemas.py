"""Audit rows as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.schemas import BaseStruct


class AuditEntry(BaseStruct):
    id: int
    tenant: str
    actor: str
    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None
    at: datetime
