"""The app served over a real port for the browser tests, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

import uvicorn
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Page, Route, ViewportSize, expect
from temporalio.client import Client

from infra.settings import Settings
from infra.temporal import connect
from services.app import create_app
from services.context import AppContext
from tests.conftest import PASSWORD

CHROMIUM: Final = "/usr/bin/chromium"
CHROMIUM_ARGS: Final = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
INSTALL: Final = "apt-get update && apt-get install -y chromium fonts-noto-cjk"
SCREENSHOTS: Final = Path(__file__).resolve().parent.parent / "screenshots"
LOCAL_HOSTS: Final = frozenset({"127.0.0.1", "localhost"})
DESKTOP: Final = ViewportSize(width=1366, height=768)
PHONE: Final = ViewportSize(width=375, height=812)


def chromium() -> str:
    """Debian's Chromium, or a failure that names the command installing it."""
    found = shutil.which(CHROMIUM) or shutil.which("chromium")
    if found is None:
        raise RuntimeError(f"Chromium is missing: run `{INSTALL}` (or `python3 infra/dev.py test` as root)")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LiveServer:
    """The whole app under uvicorn on a free port, in a thread with its own event loop and its own context
    (the database pool's connections belong to the loop that made them); given ``temporal_address``, its own
    client of that Temporal server (the cycle's pages)."""

    def __init__(self, settings: Settings, database_url: str, temporal_address: str | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._settings, self._database_url = settings, database_url
        self._temporal_address = temporal_address
        self._server: uvicorn.Server | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), name="live-server", daemon=True)

    async def _serve(self) -> None:
        address = self._temporal_address

        async def temporal_connect() -> Client:
            return await connect(self._settings, address)

        context = AppContext.create(self._settings, self._database_url, temporal_connect if address else None)
        try:
            config = uvicorn.Config(
                create_app(context), host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
            )
            self._server = uvicorn.Server(config)
            self._ready.set()
            await self._server.serve()
        finally:
            self._ready.set()
            await context.close()

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(30)
        for _ in range(300):
            if self._server is not None and self._server.started:
                return
            if not self._thread.is_alive():
                break
            threading.Event().wait(0.1)
        raise RuntimeError("the live server did not start")

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        self._thread.join(30)


@dataclass
class Watch:
    """What a journey must not see: console errors, page errors, requests to any other host."""

    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    expected: set[tuple[int, str]] = field(default_factory=set)
    """(status, URL) of the pages a journey means to be refused: Chromium logs each as a console error."""

    def expect(self, status: int, url: str) -> None:
        self.expected.add((status, url))

    async def attach(self, context: BrowserContext) -> None:
        async def route(request_route: Route) -> None:
            host = urlsplit(request_route.request.url).hostname or ""
            if host in LOCAL_HOSTS:
                await request_route.continue_()
            else:
                self.outside.append(request_route.request.url)
                await request_route.abort()

        await context.route("**/*", route)

    def page(self, page: Page) -> Page:
        def console(message: ConsoleMessage) -> None:
            if message.type != "error":
                return
            refused = re.fullmatch(
                r"Failed to load resource: the server responded with a status of (\d+) .*", message.text
            )
            if refused and (int(refused.group(1)), message.location.get("url")) in self.expected:
                return
            self.errors.append(f"{message.text} at {message.location}")

        page.on("console", console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page

    def assert_clean(self) -> None:
        assert self.errors == []
        assert self.outside == []


async def open_watched(browser: Browser, **options: Any) -> tuple[Page, Watch]:
    """A page in a new browser context (``options`` as for ``new_context``) that a Watch looks over;
    close it with ``page.context.close()``."""
    context = await browser.new_context(**options)
    watch = Watch()
    await watch.attach(context)
    return watch.page(await context.new_page()), watch


async def screenshot(page: Page, name: str) -> None:
    """The whole page into the git-ignored folder, for people to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def fits_width(page: Page) -> bool:
    """Whether the page needs no horizontal scrolling at the viewport's width."""
    return bool(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


async def inputs_labelled(page: Page) -> bool:
    """Whether every field a person fills in has a label."""
    script = "[...document.querySelectorAll('input:not([type=hidden]), select, textarea')].every(e => e.labels.length)"
    return bool(await page.evaluate(script))


async def looks_right(page: Page, name: str, *, labelled: bool = False) -> None:
    """The page fits its viewport's width (and, with ``labelled``, every field has a label); its screenshot is
    saved as ``name``."""
    assert await fits_width(page)
    if labelled:
        assert await inputs_labelled(page)
    await screenshot(page, name)


async def looks_right_on_a_phone(page: Page, name: str) -> None:
    """The same page at a phone's width looks right, screenshot ``name``; the viewport stays a phone's."""
    await page.set_viewport_size(PHONE)
    await looks_right(page, name)


async def sign_in(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the form, as a person does."""
    await page.goto(base + "/")
    await page.get_by_label("用户名").fill(username)
    await page.get_by_label("密码").fill(password)
    await page.get_by_role("button", name="登录").click()


async def sign_out(page: Page, base: str) -> None:
    """Sign out with the header's button and land on the sign-in page."""
    await page.get_by_role("button", name="退出").click()
    await expect(page).to_have_url(base + "/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("登录")


async def sign_out_and_close(page: Page, watch: Watch, base: str) -> None:
    """Sign out, find the watch clean, and close the page's browser context: how a journey ends."""
    await sign_out(page, base)
    watch.assert_clean()
    await page.context.close()
