"""How pages answer a refusal: a page in the reader's language (never JSON), or back to sign-in."""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import (
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect
from litestar.types import ExceptionHandlersMap

from services.auth.controllers import MUST_CHANGE_PASSWORD
from services.errors import DomainError
from services.text import Text
from services.web.render import language, page
from tenants.context import Actor
from tenants.resolver import TenantNotFoundError

NOT_FOUND: Final = Text("页面不存在或无权访问。", "This page does not exist or you may not see it.")
FORBIDDEN: Final = Text("您的角色无权访问此页面。", "Your role may not open this page.")
BAD_REQUEST: Final = Text(
    "请求的参数有误，请返回后重试。", "The request's parameters are not valid: go back and try again."
)
CSRF: Final = Text("页面已过期，请刷新后重试。", "The page has expired: reload it and try again.")


def _render(request: Request[Any, Any, Any], status: int, message: Text) -> Any:
    # Signed in, the page keeps its header (the way home and sign-out); signed out, it has none.
    user = request.scope.get("user")
    signed_in = {"actor": user} if isinstance(user, Actor) else {}
    return page(
        request, "error.html", status_code=status, status=status, message=message.get(language(request)), **signed_in
    )


def not_signed_in(request: Request[Any, Any, Any], _: NotAuthorizedException) -> Any:
    """Back to the sign-in page, which returns here after signing in."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.headers.get("hx-request"):
        return Response(content=None, status_code=204, headers={"HX-Redirect": "/"})
    return Redirect(f"/?next={quote(target, safe='/')}")


def not_found(request: Request[Any, Any, Any], _: Exception) -> Any:
    # Another city's or another street's page answers exactly like a page that does not exist.
    return _render(request, 404, NOT_FOUND)


def forbidden(request: Request[Any, Any, Any], exc: PermissionDeniedException) -> Any:
    if exc.detail == str(MUST_CHANGE_PASSWORD):  # a one-time password: the user sets its own before any page
        if request.headers.get("hx-request"):
            return Response(content=None, status_code=204, headers={"HX-Redirect": "/password"})
        return Redirect("/password")
    return _render(request, 403, CSRF if "CSRF" in str(exc.detail) else FORBIDDEN)


def invalid(request: Request[Any, Any, Any], _: ValidationException) -> Any:
    return _render(request, 400, BAD_REQUEST)


def domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Any:
    if exc.status_code == 404:
        return not_found(request, exc)
    message = exc.text or Text(exc.detail, exc.detail)
    return _render(request, exc.status_code, message)


PAGE_ERRORS: Final[ExceptionHandlersMap] = {
    NotAuthorizedException: not_signed_in,
    PermissionDeniedException: forbidden,
    NotFoundException: not_found,
    TenantNotFoundError: not_found,
    ValidationException: invalid,
    DomainError: domain_error,
}
