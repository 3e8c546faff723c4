"""CSV exports keep user text from running as a formula, also behind leading spaces or line breaks."""

from __future__ import annotations

import csv
import io

import pytest

from services.shared.tabular.writing import write_csv


@pytest.mark.parametrize(
    ("text", "guarded"),
    [
        ("=1+1", True),
        ('  =HYPERLINK("http://x")', True),
        ("\n@SUM(A1:A9)", True),
        (" \r\n+cmd|' /C calc'!A0", True),
        ("\u3000-2+3", True),
        (" -5", False),
        ("-12.5%", False),
        ("济南 = 泉城", False),
    ],
)
def test_formula_like_text_is_prefixed_with_an_apostrophe(text: str, guarded: bool) -> None:
    written = write_csv(["名称"], [[text]]).decode("utf-8-sig")
    [_, [cell]] = list(csv.reader(io.StringIO(written)))
    assert cell == ("'" + text if guarded else text)
