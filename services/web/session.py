"""The browser's session: sign in through the API's own check, the cookie it sets, the role's home."""

from __future__ import annotations

from typing import Any, Final

from litestar import Request
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException
from litestar.security.jwt import JWTCookieAuth, Token

from services.auth.controllers import check_sign_in, retrieve_actor, session_cookie
from services.auth.service import LoginOutcome
from services.deps import Caller
from tenants.context import Actor, Role

CITY_ROLES: Final = (Role.CITY_ADMIN, Role.CASEWORKER, Role.VIEWER, Role.PROVINCE_ADMIN)
"""Who reads a city's pages (a province reads its cities, read-only)."""


async def sign_in(
    request: Request[Any, Any, Any], username: str, password: str
) -> tuple[LoginOutcome, int, Cookie | None]:
    """Check the credentials as ``POST /api/auth/login`` does (same throttle); on success, the session cookie."""
    outcome, user, wait = await check_sign_in(request, username, password)
    if user is None:
        return outcome, wait, None
    return outcome, wait, session_cookie(request, user)[1]


def _auth(request: Request[Any, Any, Any]) -> JWTCookieAuth[Actor, Token]:
    auth: JWTCookieAuth[Actor, Token] = request.app.state.auth
    return auth


def signed_out_cookie(request: Request[Any, Any, Any]) -> Cookie:
    return Cookie(key=_auth(request).key, value="", max_age=0, expires=0, httponly=True, samesite="lax", path="/")


async def signed_in(request: Request[Any, Any, Any]) -> Actor | None:
    """The actor of the session cookie on a route the auth middleware skips (the sign-in page)."""
    auth = _auth(request)
    encoded = request.cookies.get(auth.key, "").split(" ")[-1]
    if not encoded:
        return None
    try:
        token = Token.decode(encoded_token=encoded, secret=auth.token_secret, algorithm=auth.algorithm)
    except NotAuthorizedException:
        return None
    return await retrieve_actor(token, request)


def home_of(actor: Caller) -> str | None:
    """Where a role starts: the city's home, the caseworker's visits due, the operator's street, the province's
    list of cities or, for a department, its dashboard (``None``: an operator bound to no street has nowhere to
    start)."""
    if actor.role == Role.OPERATOR:
        return f"/city/{actor.tenant}/streets/{actor.street_id}/home" if actor.street_id else None
    if actor.role == Role.DEPARTMENT_VIEWER:
        return f"/province/{actor.tenant}/dashboard"  # a department reads the figures, not the cities' pages
    if actor.province:
        return f"/province/{actor.tenant}"
    if actor.role == Role.CASEWORKER:
        return f"/city/{actor.tenant}/caseworker"
    return f"/city/{actor.tenant}"


def local_path(target: str | None) -> str | None:
    """``target`` if it is a path of this site (never another host): where to go after signing in."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return None
