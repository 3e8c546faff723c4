"""How pages are rendered: the Jinja engine with its globals and filters, the language, the page response."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlencode

from jinja2 import StrictUndefined, pass_context
from jinja2.runtime import Context
from litestar import Request
from litestar.datastructures import Cookie
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

from services.demo.places import CITIES, city_of_district
from services.text import Language, Text
from services.web.labels import label
from tenants.calendar import CHINA_TIME, today

WEB_DIR: Final = Path(__file__).resolve().parent
TEMPLATES: Final = WEB_DIR / "templates"
STATIC: Final = WEB_DIR / "static"
STATIC_PATH: Final = "/static"

LANG_COOKIE: Final = "jiequ_lang"
LANGUAGES: Final[tuple[Language, ...]] = ("zh", "en")
HTML_LANG: Final[dict[Language, str]] = {"zh": "zh-CN", "en": "en"}

SECURITY_HEADERS: Final = {
    # Everything a page uses comes from this server: the policy makes a stray external URL fail loudly.
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def language(request: Request[Any, Any, Any]) -> Language:
    """``?lang=`` when given, else the remembered choice, else Chinese."""
    asked = request.query_params.get("lang")
    if asked == "en" or (asked != "zh" and request.cookies.get(LANG_COOKIE) == "en"):
        return "en"
    return "zh"


def notice(request: Request[Any, Any, Any], key: str, messages: Mapping[str, Text]) -> str | None:
    """The message a page shows after a change (``?saved=visit``): the one of ``messages`` that the query's ``key``
    names, in the reader's language; none for no or an unknown code (never text from the URL)."""
    text = messages.get(request.query_params.get(key, ""))
    return text.get(language(request)) if text is not None else None


def page(request: Request[Any, Any, Any], template: str, *, status_code: int = 200, **context: Any) -> Template:
    """The page ``template`` in the caller's language; a ``?lang=`` switch is remembered in a cookie."""
    lang = language(request)
    cookies = []
    if request.query_params.get("lang") in LANGUAGES:
        cookies.append(
            Cookie(key=LANG_COOKIE, value=lang, max_age=365 * 86400, path="/", httponly=True, samesite="lax")
        )
    return Template(
        template_name=template,
        context={**context, "lang": lang, "html_lang": HTML_LANG[lang]},
        status_code=status_code,
        cookies=cookies,
        headers=SECURITY_HEADERS,
    )


# ------------------------------------------------------------------------------ template globals and filters


@pass_context
def _t(context: Context, zh: str, en: str) -> str:
    """``{{ t("街区", "Streets") }}``: the wording in the page's language."""
    return en if context.get("lang") == "en" else zh


@pass_context
def _label(context: Context, kind: str, code: object) -> str:
    return label(kind, code, "en" if context.get("lang") == "en" else "zh")


@pass_context
def _choices(context: Context, kind: str, codes: Iterable[str]) -> list[tuple[str, str]]:
    """``(code, name)`` pairs of a select's options."""
    return [(code, _label(context, kind, code)) for code in codes]


@pass_context
def _with_query(context: Context, **changes: object) -> str:
    """The current URL with ``changes`` to its query (``None`` removes a parameter): paging, filters, language."""
    request: Request[Any, Any, Any] = context["request"]
    query = {key: value for key, value in request.query_params.items() if key != "lang"}
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = str(value)
    return request.url.path + (f"?{urlencode(query)}" if query else "")


def number(value: object) -> str:
    """``12345`` → ``12,345``; a share stays as it is; nothing → ``—``."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def percent(value: object) -> str:
    """A fraction as a percentage: ``0.875`` → ``87.5%``."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "—"
    return f"{value * 100:.1f}%"


def day(value: object) -> str:
    """A date or a time as ``YYYY-MM-DD`` (a time in China's time zone)."""
    if isinstance(value, dt.datetime):
        value = value.astimezone(CHINA_TIME).date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return "—" if value is None else str(value)


def moment(value: object) -> str:
    """A time as ``YYYY-MM-DD HH:MM`` in China's time zone."""
    if isinstance(value, dt.datetime):
        return value.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")
    return day(value)


def district_name(code: str) -> str:
    """``370102`` → ``历下区``; a code not in the table shows as itself."""
    try:
        found = city_of_district(code)
    except KeyError:
        return code
    return next(d.name for d in found.districts if d.code == code)


def city_districts(city_code: str) -> list[tuple[str, str]]:
    """``(code, name)`` of a city's districts and counties: the options of a district select."""
    for city in CITIES:
        if city.code == city_code:
            return [(d.code, district_name(d.code)) for d in city.districts]
    return []


def _this_year() -> int:
    """``{{ this_year() }}``: the year in China now (the city menu's link to the year's cycle)."""
    return today().year


def _configure(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.undefined = StrictUndefined  # a misspelt variable fails the test that renders it, not silently
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.globals.update(
        t=_t,
        label=_label,
        choices=_choices,
        with_query=_with_query,
        district_name=district_name,
        static=STATIC_PATH,
        this_year=_this_year,
    )
    env.filters.update(number=number, percent=percent, day=day, moment=moment)


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine, engine_callback=_configure)
