"""The names of coded values as the pages show them: one language of the one labels source."""

from __future__ import annotations

from rules.facts import FACTS
from services.labels.labels import LABELS
from services.text import Language


def label(kind: str, code: object, language: Language = "zh") -> str:
    """The name of ``code`` in ``language``; an unknown code shows as itself rather than hiding the row."""
    if code is None:
        return "—"
    text = LABELS.get(kind, {}).get(str(code))
    return text.get(language) if text is not None else str(code)


def fact_names(language: Language = "zh") -> dict[str, str]:
    """The name of each built-in fact (a baseline criterion's id is its fact's) in ``language``."""
    return {name: spec.label_en if language == "en" else spec.label_zh for name, spec in FACTS.items()}
