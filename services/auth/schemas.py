"""Sign-in and the signed-in user."""

from __future__ import annotations

import msgspec

from services.schemas import BaseStruct, InputStruct


class Login(InputStruct):
    username: str = msgspec.field()
    password: str = msgspec.field()


class Me(BaseStruct):
    username: str
    tenant: str
    role: str


class LoginResult(BaseStruct):
    access_token: str
    token_type: str
    user: Me
