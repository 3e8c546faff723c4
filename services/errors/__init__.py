"""Domain errors raised by services (the package: how the HTTP layer answers every error).

Every 4xx keeps Litestar's shape ``{status_code, detail, extra?}`` with ``detail`` in Chinese then English:
the services' own errors, Litestar's validation of bodies, queries and paths (``extra`` lists each problem
with its field, what was expected and, for a coded field, the allowed values; ``validation``), malformed
JSON, 401, 403, an unknown route, 405 and 413 (``handlers``). A dependency that cannot be reached
(PostgreSQL, Temporal) answers 503 with ``Retry-After``, and ``outages.Outages`` logs one line when it goes
and one when it comes back.
"""

from __future__ import annotations

import re
from typing import Any, Final

from services.text import Text

RETRY_AFTER_SECONDS: Final = 15
"""What a 503 asks the client to wait before it retries."""


class DomainError(Exception):
    """A service refused the request; ``status_code`` is what the HTTP layer answers."""

    status_code = 400

    def __init__(self, detail: str | Text, extra: dict[str, Any] | list[Any] | None = None) -> None:
        super().__init__(str(detail))
        self.text = detail if isinstance(detail, Text) else None
        """The wording in both languages, where the service gave it as :class:`Text`."""
        self.detail = str(detail)
        self.extra = extra


class NotFoundError(DomainError):
    status_code = 404


class ForbiddenError(DomainError):
    status_code = 403


class ConflictError(DomainError):
    status_code = 409


class InvalidError(DomainError):
    """Input that is well-formed but breaks a rule of the domain."""

    status_code = 422


class UnavailableError(DomainError):
    """A dependency the request needs (Temporal, say) did not answer; the request may be retried.

    ``dependency`` names it (``"database"``, ``"temporal"``) when the error means that it is down, so that
    the outage is logged once; the answer carries ``Retry-After`` either way.
    """

    status_code = 503

    def __init__(self, detail: str | Text, extra: Any = None, *, dependency: str | None = None) -> None:
        super().__init__(detail, extra)
        self.dependency = dependency


class TemporalUnreachableError(UnavailableError, RuntimeError):
    """Temporal could not be reached; a ``RuntimeError`` too, which callers that may go on without it catch."""


_CJK: Final = re.compile(r"[\u4e00-\u9fff]")


def bilingual(text: str) -> bool:
    """Whether ``text`` already holds Chinese (the project's messages are "中文 / English")."""
    return bool(_CJK.search(text))
