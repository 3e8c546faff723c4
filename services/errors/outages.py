"""Which dependency an error says is unreachable (PostgreSQL, Temporal), and the log of each outage: one line
when it goes and one when it comes back."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping
from typing import Final

from sqlalchemy.exc import DBAPIError
from temporalio.service import RPCError, RPCStatusCode

from services.errors import UnavailableError
from services.text import Text

log = logging.getLogger("jiequ.outages")

DATABASE: Final = "database"
TEMPORAL: Final = "temporal"
UNREACHABLE: Final[Mapping[str, Text]] = {
    DATABASE: Text("数据库暂时无法访问，请稍后重试", "the database cannot be reached for now; retry shortly"),
    TEMPORAL: Text("流程服务暂时无法访问，请稍后重试", "the workflow service cannot be reached for now; retry shortly"),
}


class Outages:
    """Which dependencies are down: the first failure of an outage and the recovery are logged, one line each.

    During an outage every request still answers 503, but the log keeps two lines rather than one trace
    per request.
    """

    def __init__(self) -> None:
        self._since: dict[str, float] = {}
        self._refused: dict[str, int] = {}

    def down(self, dependency: str) -> bool:
        return dependency in self._since

    def failed(self, dependency: str, error: BaseException) -> None:
        if dependency not in self._since:
            self._since[dependency] = time.monotonic()
            self._refused[dependency] = 0
            log.error("%s unreachable, answering 503 until it is back: %s: %s", dependency, type(error).__name__, error)
        self._refused[dependency] += 1

    def answered(self, dependency: str) -> None:
        since = self._since.pop(dependency, None)
        if since is not None:
            refused = self._refused.pop(dependency, 0)
            log.warning(
                "%s reachable again after %.1f s (%d requests answered 503)",
                dependency,
                time.monotonic() - since,
                refused,
            )


# asyncpg's connection failures (class 08, and 57P01-57P03: shut down, crashed, starting) and the socket's own.
_UNREACHABLE_SQLSTATES: Final = ("08", "57P01", "57P02", "57P03")
_UNREACHABLE_NAMES: Final = frozenset({"ConnectionDoesNotExistError", "InterfaceError", "InternalClientError"})


def _chain(error: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        if isinstance(error, DBAPIError) and isinstance(error.orig, BaseException):
            yield error.orig
        error = error.__cause__ or error.__context__


def _through_database_driver(error: BaseException) -> bool:
    """Whether ``error`` was raised on the way through asyncpg or SQLAlchemy (not by any other socket or file)."""
    trace = error.__traceback__
    while trace is not None:
        if str(trace.tb_frame.f_globals.get("__name__", "")).startswith(("asyncpg", "sqlalchemy")):
            return True
        trace = trace.tb_next
    return False


def unreachable(error: BaseException) -> str | None:
    """The dependency ``error`` says is unreachable (``"database"``, ``"temporal"``), or None for any other error."""
    if isinstance(error, UnavailableError):
        # A call Temporal did not take (UNAVAILABLE) is an outage; a query no worker answered in time is not.
        refused = any(isinstance(e, RPCError) and e.status == RPCStatusCode.UNAVAILABLE for e in _chain(error))
        return error.dependency or (TEMPORAL if refused else None)
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return DATABASE
    for cause in _chain(error):
        # Refused, reset, timed out, or the server's socket file gone: on the way to PostgreSQL only.
        if isinstance(cause, OSError) and _through_database_driver(cause):
            return DATABASE
        sqlstate = getattr(cause, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_UNREACHABLE_SQLSTATES):
            return DATABASE
        if type(cause).__module__.startswith("asyncpg") and type(cause).__name__ in _UNREACHABLE_NAMES:
            return DATABASE
    return None
