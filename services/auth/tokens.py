"""Sign-in tokens, each checked once: a token whose signature and claims were verified is remembered until it
expires, so the requests that carry it skip the HMAC and the JSON parsing (a third of a request that reads no
data). What a token says is still checked against its user on every request (:func:`retrieve_actor`: the user
exists, is active and has the token's version), so signing out everywhere or a new password still ends it."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Final, Self

from litestar.security.jwt import Token

REMEMBERED: Final = 10_000
"""Verified tokens kept per process (about 3 MB); past it the oldest is forgotten and verified again when used."""


class VerifiedToken(Token):
    """Litestar's token, decoded through a per-process memory of the tokens already verified."""

    @classmethod
    def decode(
        cls,
        encoded_token: str,
        secret: str,
        algorithm: str,
        audience: str | Sequence[str] | None = None,
        issuer: str | Sequence[str] | None = None,
        require_claims: Sequence[str] | None = None,
        verify_exp: bool = True,
        verify_nbf: bool = True,
        strict_audience: bool = False,
    ) -> Self:
        """The token as :meth:`Token.decode` verifies it; a token verified before under the same key and checks
        is answered from memory while it has not expired. A token that fails is never remembered."""
        key = (
            encoded_token,
            secret,
            algorithm,
            _hashable(audience),
            _hashable(issuer),
            _hashable(require_claims),
            verify_exp,
            verify_nbf,
            strict_audience,
        )
        known = _VERIFIED.get(key)
        if known is not None and (not verify_exp or known.exp.timestamp() > time.time()):
            return known  # type: ignore[return-value]  # remembered by this class's decode: of its type
        _VERIFIED.pop(key, None)
        token = super().decode(
            encoded_token,
            secret,
            algorithm,
            audience=audience,
            issuer=issuer,
            require_claims=require_claims,
            verify_exp=verify_exp,
            verify_nbf=verify_nbf,
            strict_audience=strict_audience,
        )
        if len(_VERIFIED) >= REMEMBERED:
            _VERIFIED.pop(next(iter(_VERIFIED)))
        _VERIFIED[key] = token
        return token


_VERIFIED: dict[tuple[object, ...], Token] = {}


def _hashable(value: str | Sequence[str] | None) -> str | tuple[str, ...] | None:
    return value if value is None or isinstance(value, str) else tuple(value)
