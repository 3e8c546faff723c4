"""Sign-in, the signed-in user and the password change."""

from __future__ import annotations

from typing import Annotated

import msgspec

from services.schemas import BaseStruct, InputStruct
from services.shared.bounds import NAME_PATTERN, TEXT_PATTERN

Username = Annotated[
    str, msgspec.Meta(min_length=1, max_length=150, pattern=NAME_PATTERN, description="用户名 / user name")
]
"""Not blank, no control characters (NUL included): PostgreSQL refuses NUL, and no name holds one."""
Password = Annotated[
    str, msgspec.Meta(min_length=1, max_length=1024, pattern=TEXT_PATTERN, description="密码 / password")
]


class Login(InputStruct):
    username: Username
    password: Password


class Me(BaseStruct, omit_defaults=True):
    username: str
    tenant: str
    role: str
    must_change_password: bool = False
    """Present (true) only while the user signs in with a one-time password and must set its own."""


class LoginResult(BaseStruct):
    access_token: str
    token_type: str
    user: Me


class PasswordChange(InputStruct):
    current_password: Password
    new_password: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            max_length=1024,
            description="新密码：至少 10 个字符，不含用户名，不是常见密码 / new password: at least 10 characters, "
            "not containing the user name, not a common password",
        ),
    ]
