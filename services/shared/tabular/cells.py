"""Cells of tables in and out: the file-level refusal, unreadable cells, and the text rules both sides share."""

from __future__ import annotations

import re
from typing import Final


class TableFileError(ValueError):
    """The file as a whole cannot be read (type, encoding, damage, no data); Chinese, then English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.message_zh = zh
        self.message_en = en


class BadCell:
    """A cell that holds no readable value (a formula without a computed result, an error such as
    #DIV/0!): it becomes an error of its row, where an empty cell would silently read as nothing."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


# Text that Excel would run as a formula (CSV/formula injection); the leading ' keeps it text.
FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_LIKE: Final = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)?%?")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet may run ``text`` as a formula: it starts with one of ``FORMULA_START``, also after
    spaces and line breaks (Excel skips them), and is not a plain number such as -5."""
    stripped = text.lstrip(" \n\r\t\u3000")
    starts = text.startswith(FORMULA_START) or stripped.startswith(FORMULA_START)
    return starts and not _NUMBER_LIKE.fullmatch(stripped or text)


def shown(value: object) -> str:
    """A value as a message quotes it: at most 30 characters."""
    text = str(value)
    return text if len(text) <= 30 else text[:29] + "…"
