"""``/password``: the first sign-in's page, where a user with a one-time password sets its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from services.auth import service
from services.auth.controllers import PASSWORD_CHANGE_ALLOWED, session_cookie
from services.auth.passwords import MAX_LENGTH, MIN_LENGTH, check_policy
from services.deps import Caller, Db
from services.errors import DomainError, InvalidError
from services.text import Text
from services.web.forms import FormBody
from services.web.refusals import attempt, message
from services.web.render import language, page
from services.web.session import home_of

PASSWORD_PATH: Final = "/password"  # noqa: S105 - a path, not a password
RULES: Final = (
    Text("至少 {n} 个字符", "at least {n} characters").format(n=MIN_LENGTH),
    Text("不能包含用户名", "must not contain the user name"),
    Text("不能是常见密码（如 password123、12345678）", "not a common password (such as password123)"),
)
"""The policy of ``services.auth.passwords.check_policy``, as hints next to the new password."""
EMPTY: Final = Text("请输入当前密码（一次性密码）", "Enter your current (one-time) password.")
MISMATCH: Final = Text("两次输入的新密码不一致", "The two new passwords differ.")


@dataclass
class PasswordForm:
    current: str = ""
    new: str = ""
    again: str = ""


class PasswordPages(Controller):
    """Every other page sends a user who must still replace its one-time password here (see errors.py)."""

    path = PASSWORD_PATH
    opt = {PASSWORD_CHANGE_ALLOWED: True}

    @get("/")
    async def form(self, request: Request[Any, Any, Any], actor: Caller) -> Template:
        return _form(request, actor, {})

    @post("/", status_code=303)
    async def change(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        actor: Caller,
        data: FormBody[PasswordForm],
    ) -> Template | Redirect:
        lang = language(request)
        if not data.current:
            return _form(request, actor, {"current": EMPTY.get(lang)})
        if data.new != data.again:
            return _form(request, actor, {"again": MISMATCH.get(lang)})
        try:
            # The policy first, so that its refusal stands next to the new password; the service checks it too.
            check_policy(actor.username, data.new[: MAX_LENGTH + 1])
        except InvalidError as exc:
            return _form(request, actor, {"new": message(request, exc)})
        changed = await attempt(db, lambda: service.change_password(db, actor, actor.tenant, data.current, data.new))
        if isinstance(changed, DomainError):
            return _form(request, actor, {"current": message(request, changed)})
        # The new token replaces the old one, which the password change has ended.
        return Redirect(home_of(actor) or "/", cookies=[session_cookie(request, changed)[1]], status_code=303)


def _form(request: Request[Any, Any, Any], actor: Caller, errors: dict[str, str]) -> Template:
    lang = language(request)
    return page(
        request,
        "accounts/password.html",
        status_code=422 if errors else 200,
        actor=actor,
        errors=errors,
        rules=[rule.get(lang) for rule in RULES],
    )
