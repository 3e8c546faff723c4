"""Documents published by year (the baseline, the grading scheme): the files a package ships, one per year, and
the one in force in a year."""

from collections.abc import Callable, Iterable
from importlib import resources
from typing import Protocol, TypeVar


class _Yearly(Protocol):
    @property
    def year(self) -> int: ...


Y = TypeVar("Y", bound=_Yearly)


def packaged(package: str, parse: Callable[[str], Y], misnamed: Callable[[str, str], Exception]) -> tuple[Y, ...]:
    """The documents shipped in `package`, one file per year (`<year>.yaml`), oldest first.

    A file whose document is of another year raises what `misnamed` makes of the message in Chinese and English.
    """
    documents = []
    for entry in resources.files(package).iterdir():
        if entry.name.endswith(".yaml"):
            document = parse(entry.read_text(encoding="utf-8"))
            if entry.name != f"{document.year}.yaml":
                raise misnamed(
                    f"文件 {entry.name} 中的年份为 {document.year}", f"the file {entry.name} says year {document.year}"
                )
            documents.append(document)
    return tuple(sorted(documents, key=lambda d: d.year))


def in_force(year: int, shipped: Iterable[Y], published: Iterable[Y]) -> Y | None:
    """The newest document of `year` or before, None if there is none; a published one wins over the shipped one
    of its year."""
    # Sorting is stable, so a published document listed after the shipped one of its year wins.
    candidates = [d for d in sorted((*shipped, *published), key=lambda d: d.year) if d.year <= year]
    return candidates[-1] if candidates else None
