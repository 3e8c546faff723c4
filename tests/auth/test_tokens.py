"""A sign-in token is verified once and remembered until it expires; the memory never accepts what a full check
would refuse: an expired token, another secret's, or a changed one."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from litestar.exceptions import NotAuthorizedException

from services.auth.tokens import VerifiedToken

SECRET = "a-test-secret-of-enough-length-for-hs256"


def signed(seconds: float, secret: str = SECRET) -> str:
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)
    return VerifiedToken(exp=expires, sub="jinan-admin", extras={"tenant": "jinan", "ver": 1}).encode(secret, "HS256")


def test_a_verified_token_is_remembered() -> None:
    encoded = signed(3600)
    first = VerifiedToken.decode(encoded, SECRET, "HS256")
    assert (first.sub, first.extras["tenant"]) == ("jinan-admin", "jinan")
    assert VerifiedToken.decode(encoded, SECRET, "HS256") is first


def test_another_secret_or_a_changed_token_is_refused_though_the_token_is_remembered() -> None:
    encoded = signed(3600)
    VerifiedToken.decode(encoded, SECRET, "HS256")
    with pytest.raises(NotAuthorizedException):
        VerifiedToken.decode(encoded, "another-secret-of-enough-length-for-hs256", "HS256")
    header, payload, signature = encoded.split(".")
    changed = f"{header}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    with pytest.raises(NotAuthorizedException):
        VerifiedToken.decode(changed, SECRET, "HS256")


async def test_a_remembered_token_is_refused_once_it_expires() -> None:
    encoded = signed(1.5)
    VerifiedToken.decode(encoded, SECRET, "HS256")
    await asyncio.sleep(2.0)  # past its expiry: the memory answers no more, and the full check refuses it
    with pytest.raises(NotAuthorizedException):
        VerifiedToken.decode(encoded, SECRET, "HS256")
