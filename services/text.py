"""``Text``: one piece of wording in Chinese and English, the one bilingual type of every message.

The API answers both (``str(text)`` is ``"中文 / English"``); a page shows one of them.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

Language = Literal["zh", "en"]


class Text(msgspec.Struct, frozen=True):
    """A message in Chinese (first) and English."""

    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"

    def format(self, **values: Any) -> Text:
        """Both languages with ``values`` filled in (``str.format`` placeholders)."""
        return Text(self.zh.format(**values), self.en.format(**values))

    def __add__(self, other: Text) -> Text:
        return Text(self.zh + other.zh, self.en + " " + other.en)

    def get(self, language: Language) -> str:
        return self.zh if language == "zh" else self.en


def counted(count: int, noun: str) -> str:
    """``count`` and an English ``noun`` that takes an s past one: "1 street", "3 streets"."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
