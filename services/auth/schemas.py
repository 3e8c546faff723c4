"""Sign-in and the signed-in user."""

from __future__ import annotations

from typing import Annotated

import msgspec

from services.schemas import BaseStruct, InputStruct
from services.shared.bounds import TEXT_PATTERN, ShortName


class Login(InputStruct):
    username: ShortName = msgspec.field()
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=TEXT_PATTERN)] = msgspec.field()


class Me(BaseStruct):
    username: str
    tenant: str
    role: str


class LoginResult(BaseStruct):
    access_token: str
    token_type: str
    user: Me
