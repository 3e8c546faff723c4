"""A coded value's label as the API shows it."""

from __future__ import annotations

from services.schemas import BaseStruct


class Label(BaseStruct):
    zh: str
    en: str
