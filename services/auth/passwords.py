"""Argon2 password hashes, the password policy and one-time passwords.

Hashing and verifying are slow by design (tens to hundreds of milliseconds of CPU each): they run off the
event loop, at most one per core at a time, and a bounded number wait; beyond that the caller is told to
come back later, so a burst of sign-ins cannot starve the rest of the API.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import cache
from importlib import resources
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from litestar.exceptions import ServiceUnavailableException

from services.errors import InvalidError
from services.text import Text

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified when the username is unknown, so a miss takes as long as a wrong password. Made at the first
    miss, not at import: an argon2 hash is a tenth of a second of every process's start otherwise."""
    return _hasher.hash("jiequ-no-such-user")


MIN_LENGTH = 10
MAX_LENGTH = 1024
"""Longer input is refused before it reaches argon2 (it would only cost time)."""

CORES = os.cpu_count() or 1
MAX_WAITING = 8 * CORES
"""Password checks allowed to queue beyond the running ones; one more is answered 503."""
RETRY_AFTER_SECONDS = 2

_T = TypeVar("_T")


class PasswordWorkBusyError(ServiceUnavailableException):
    """Too many password checks are running and waiting: 503 with ``Retry-After`` wherever it is raised."""

    def __init__(self) -> None:
        super().__init__(
            detail=str(Text("登录请求过多，请稍后再试", "too many sign-ins at once, please retry shortly")),
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )


class _Gate:
    """A semaphore of ``slots`` per event loop, and a count of those waiting for it."""

    def __init__(self, slots: int = CORES, max_waiting: int = MAX_WAITING) -> None:
        self.slots = slots
        self.max_waiting = max_waiting
        self._semaphores: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )
        self.waiting = 0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        semaphore = self._semaphores.get(loop)
        if semaphore is None:
            semaphore = self._semaphores[loop] = asyncio.Semaphore(self.slots)
        if semaphore.locked() and self.waiting >= self.max_waiting:
            raise PasswordWorkBusyError
        self.waiting += 1
        try:
            await semaphore.acquire()
        finally:
            self.waiting -= 1
        try:
            yield
        finally:
            semaphore.release()


GATE = _Gate()


async def _run(work: Callable[..., _T], *args: str | None) -> _T:
    async with GATE.slot():  # the module's gate, looked up at each call
        return await asyncio.to_thread(work, *args)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; with no hash (an unknown user) the dummy is checked, and it is False."""
    return await _run(_verify, password_hash, password)


async def hash_password_async(password: str) -> str:
    return await _run(hash_password, password)


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-cased."""
    text = resources.files("services.auth").joinpath("common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def check_policy(username: str, password: str) -> None:
    """Refuse a password that is short, the user name (or holds it), or a common one (422 naming why)."""
    if len(password) < MIN_LENGTH:
        raise InvalidError(
            Text("密码至少需要 {n} 个字符", "the password needs at least {n} characters").format(n=MIN_LENGTH)
        )
    if len(password) > MAX_LENGTH:
        raise InvalidError(
            Text("密码最多 {n} 个字符", "the password may have at most {n} characters").format(n=MAX_LENGTH)
        )
    lowered = password.lower()
    if username.lower() in lowered:
        raise InvalidError(Text("密码不能包含用户名", "the password must not contain the user name"))
    if lowered in common_passwords() or len(set(lowered)) <= 2:
        raise InvalidError(Text("密码过于常见，请换一个", "the password is too common, choose another"))


_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""Letters and digits without the look-alikes (0/O, 1/l/I), so a password read aloud or copied survives."""


def one_time_password() -> str:
    """A generated password of four groups of four (about 92 bits), e.g. ``k7Rm-2xQp-9vTz-Hw3n``."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4))
