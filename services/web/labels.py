"""The names of coded values as the pages show them: one language of the one labels source."""

from __future__ import annotations

from services.labels.labels import LABELS
from services.text import Language


def label(kind: str, code: object, language: Language = "zh") -> str:
    """The name of ``code`` in ``language``; an unknown code shows as itself rather than hiding the row."""
    if code is None:
        return "—"
    text = LABELS.get(kind, {}).get(str(code))
    return text.get(language) if text is not None else str(code)
