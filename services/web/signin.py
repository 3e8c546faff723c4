"""``/``: the sign-in page for a visitor, the role's home for a signed-in user; ``/signout``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Final

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from services.auth.service import LoginOutcome
from services.text import Text
from services.web.forms import FormBody
from services.web.render import language, page
from services.web.session import home_of, local_path, sign_in, signed_in, signed_out_cookie

WRONG_PASSWORD: Final = Text("用户名或密码错误，请重新输入。", "Wrong user name or password: please try again.")
LOCKED: Final = Text("登录失败次数过多，请 {wait} 秒后再试。", "Too many failed sign-ins: try again in {wait} s.")
DISABLED: Final = Text("此账号已停用，请联系管理员。", "This account is disabled: ask your administrator.")
NO_STREET: Final = Text(
    "此运营机构账号尚未绑定街区，请联系市人社局。", "This operator account has no street yet: ask the city."
)
MISSING: Final = Text("请输入用户名和密码。", "Enter your user name and password.")


MAX_USERNAME: Final = 100
MAX_PASSWORD: Final = 1000


@dataclass
class SignInForm:
    username: str = ""
    password: str = ""
    next: str = ""


class SignInPages(Controller):
    """``/``: the sign-in page for a visitor, the role's home for a signed-in user; sign-out."""

    @get("/", exclude_from_auth=True)
    async def start(
        self, request: Request[Any, Any, Any], next_path: Annotated[str | None, QueryParameter(name="next")] = None
    ) -> Template | Redirect:
        actor = await signed_in(request)
        if actor is not None:
            home = home_of(actor)
            if home is None:
                return page(
                    request,
                    "error.html",
                    status_code=403,
                    status=403,
                    actor=actor,
                    message=NO_STREET.get(language(request)),
                )
            return Redirect(home)
        return page(request, "signin.html", username="", message=None, next=local_path(next_path) or "")

    @post("/", exclude_from_auth=True, status_code=303)
    async def sign_in(
        self,
        request: Request[Any, Any, Any],
        data: FormBody[SignInForm],
    ) -> Template | Redirect:
        username = data.username.strip()
        if not username or not data.password:
            return _sign_in_again(request, username, data.next, MISSING, 400)
        if len(username) > MAX_USERNAME or len(data.password) > MAX_PASSWORD:
            # No account has such a name or password: refused before hashing a megabyte.
            return _sign_in_again(request, username[:MAX_USERNAME], data.next, WRONG_PASSWORD, 401)
        outcome, wait, cookie = await sign_in(request, username, data.password)
        if outcome is LoginOutcome.LOCKED:
            return _sign_in_again(request, username, data.next, LOCKED.format(wait=wait), 429)
        if outcome is LoginOutcome.DISABLED:
            return _sign_in_again(request, username, data.next, DISABLED, 401)
        if cookie is None:
            return _sign_in_again(request, username, data.next, WRONG_PASSWORD, 401)
        # The next request carries the new cookie; "/" then sends the user to its role's home.
        return Redirect(local_path(data.next) or "/", cookies=[cookie], status_code=303)

    @post("/signout", exclude_from_auth=True, status_code=303)
    async def sign_out(self, request: Request[Any, Any, Any]) -> Redirect:
        return Redirect("/", cookies=[signed_out_cookie(request)], status_code=303)


def _sign_in_again(
    request: Request[Any, Any, Any], username: str, next_path: str, message: Text, status: int
) -> Template:
    return page(
        request,
        "signin.html",
        status_code=status,
        username=username,
        next=local_path(next_path) or "",
        message=message.get(language(request)),
    )
