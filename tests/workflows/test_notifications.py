"""Notifications from activities: written once per event, and the signed webhook retried until accepted."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment

from services.context import AppContext
from services.notifications import webhook
from services.notifications.schemas import Message
from tenants.calendar import today
from tests.workflows.clock import next_year
from tests.workflows.street_fixtures import (
    make_operator,
    make_street,
    notifications,
    tenant_settings,
)
from workflows.notifications.activities import NotificationActivities, NotifyInput, WebhookInput
from workflows.tracking.schemas import StreetYearInput, StreetYearResult, street_year_id
from workflows.tracking.workflows import StreetYearWorkflow
from workflows.worker import build_worker

SECRET = "webhook-secret-for-tests"


class Receiver:
    """A WeCom-like robot on 127.0.0.1 that fails its first request and accepts the rest."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes, int]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 500 if not receiver.requests else 200
                receiver.requests.append((dict(self.headers.items()), body, status))
                answer = json.dumps({"errcode": 0, "errmsg": "ok"} if status == 200 else {"errcode": -1}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/webhook/send?key=test"

    def accepted(self) -> list[tuple[dict[str, str], bytes, int]]:
        return [r for r in self.requests if r[2] == 200]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


LOCAL_RECEIVER = webhook.WebhookPolicy(allow_http=True, allow_private=True)
"""The receiver of these tests listens on this machine over plain HTTP, which no deployment posts to."""


async def test_webhook_is_retried_until_the_receiver_accepts_and_its_signature_verifies(
    temporal_env: WorkflowEnvironment, context: AppContext, receiver: Receiver
) -> None:
    city = "dezhou"
    year = await next_year(temporal_env)
    street = await make_street(context, city)
    await make_operator(context, city, street)
    async with (
        build_worker(temporal_env.client, context, LOCAL_RECEIVER),
        tenant_settings(context, city, webhook_url=receiver.url, webhook_secret=SECRET),
    ):
        result = await temporal_env.client.execute_workflow(
            StreetYearWorkflow.run,
            StreetYearInput(tenant=city, street_id=street, year=year, start_month=12),
            id=street_year_id(city, street, year),
            task_queue=context.settings.task_queue,
        )
    assert result == StreetYearResult(reminders=1, escalations=1, missing=(f"{year}-12",))

    # The reminder's first delivery failed (500) and was retried; the escalation went through at once.
    deliveries = [headers[webhook.DELIVERY_HEADER] for headers, _, _ in receiver.requests]
    reminder, escalation = f"report-reminder:{street}:{year}-12", f"report-escalation:{street}:{year}-12"
    assert deliveries == [reminder, reminder, escalation]
    assert [status for _, _, status in receiver.requests] == [500, 200, 200]
    for headers, body, _ in receiver.requests:
        stamp = int(headers[webhook.TIMESTAMP_HEADER])
        assert webhook.verify(SECRET, stamp, body, headers[webhook.SIGNATURE_HEADER], now=int(time.time()))
        assert not webhook.verify(
            "another-secret", stamp, body, headers[webhook.SIGNATURE_HEADER], now=int(time.time())
        )
        message = json.loads(body)
        assert message["msgtype"] == "markdown"
        assert message["markdown"]["content"].startswith("**月报")


def test_signature_refuses_a_changed_body_and_an_old_timestamp() -> None:
    body = webhook.payload(webhook.markdown_content("标题", "正文"))
    signature = webhook.sign(SECRET, 1_700_000_000, body)
    assert signature.startswith("sha256=")
    assert webhook.verify(SECRET, 1_700_000_000, body, signature, now=1_700_000_100)
    assert not webhook.verify(SECRET, 1_700_000_000, body + b" ", signature, now=1_700_000_100)
    assert not webhook.verify(SECRET, 1_700_000_000, body, signature, now=1_700_000_000 + webhook.TOLERANCE_SECONDS + 1)
    long = webhook.markdown_content("标题", "长" * 5000)
    assert len(long.encode()) <= webhook.MAX_CONTENT_BYTES


async def test_notify_users_twice_writes_one_notification_per_user(context: AppContext) -> None:
    city = "dezhou"
    street = await make_street(context, city)
    operator = await make_operator(context, city, street)
    params = NotifyInput(
        tenant=city,
        audiences=("street_operators", "city_admins"),
        message=Message(kind="street_designated", title_zh="试点认定", title_en="Designated", street_id=street),
        dedupe_key=f"cycle-designated:{street}:{today().year}",
    )
    activities, env = NotificationActivities(context), ActivityEnvironment()
    first = await env.run(activities.notify_users, params)
    second = await env.run(activities.notify_users, params)
    assert (first.created, second.created) == (2, 0)
    assert first.webhook is False
    rows = await notifications(context, city, dedupe_key=params.dedupe_key)
    assert sorted(n.username for n in rows) == sorted([operator, f"{city}-admin"])


class Redirecting(Receiver):
    """A receiver that answers every POST with a redirect to a path of its own."""

    def __init__(self) -> None:
        super().__init__()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers.items()), self.path.encode(), 302))
                self.send_response(302)
                self.send_header("Location", "/followed")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self) -> None:
                receiver.requests.append((dict(self.headers.items()), self.path.encode(), 200))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server.RequestHandlerClass = Handler


def resolving(monkeypatch: pytest.MonkeyPatch, names: dict[str, str]) -> None:
    """A resolver that answers `names` (host → address) and otherwise asks the real one: only DNS is stubbed."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.rstrip(".") in names:
            return real(names[host.rstrip(".")], port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


async def send(context: AppContext, city: str, url: str, policy: webhook.WebhookPolicy) -> Any:
    """Run the real `send_webhook` activity for `city` with its webhook set to `url`."""
    activities = NotificationActivities(context, policy)
    params = WebhookInput(tenant=city, dedupe_key=f"test:{url}", title="标题", body="正文")
    async with tenant_settings(context, city, webhook_url=url):
        return await ActivityEnvironment().run(activities.send_webhook, params)


async def test_a_name_resolving_to_this_machine_is_not_posted_to(
    context: AppContext, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The URL passed the save-time check (a name, no address literal); its address is checked when sending."""
    port = receiver.server.server_address[1]
    resolving(monkeypatch, {"hooks.city.test": "127.0.0.1"})
    plain_http = webhook.WebhookPolicy(allow_http=True)
    for url in (f"http://hooks.city.test:{port}/send", f"http://localhost.:{port}/send", f"http://127.1:{port}/send"):
        with pytest.raises(ApplicationError) as refused:
            await send(context, "binzhou", url, plain_http)
        assert refused.value.non_retryable, url
        assert refused.value.type == "WebhookRefused"
        assert "内网" in refused.value.message
    assert receiver.requests == []
    # The same name, where the policy admits this machine, is posted to the address checked, with the name
    # kept in the Host header (this receiver fails its first request, which is then retried: not refused).
    with pytest.raises(webhook.WebhookError):
        await send(context, "binzhou", f"http://hooks.city.test:{port}/send", LOCAL_RECEIVER)
    assert await send(context, "binzhou", f"http://hooks.city.test:{port}/send", LOCAL_RECEIVER) is True
    assert [headers["Host"] for headers, _, _ in receiver.requests] == [f"hooks.city.test:{port}"] * 2


async def test_plain_http_is_refused_unless_the_deployment_allows_it(context: AppContext, receiver: Receiver) -> None:
    with pytest.raises(ApplicationError) as refused:
        await send(context, "binzhou", receiver.url, webhook.WebhookPolicy(allow_private=True))
    assert refused.value.non_retryable
    assert "https://" in refused.value.message
    assert receiver.requests == []


async def test_a_redirect_is_not_followed() -> None:
    redirecting = Redirecting()
    thread = threading.Thread(target=redirecting.server.serve_forever, daemon=True)
    thread.start()
    try:
        async with httpx.AsyncClient(follow_redirects=True) as http:  # even a client that would follow
            with pytest.raises(webhook.WebhookError) as failed:
                await webhook.deliver(
                    http, redirecting.url, None, "内容", delivery="d", now=int(time.time()), policy=LOCAL_RECEIVER
                )
        assert not isinstance(failed.value, webhook.WebhookRefusedError)  # retried, as any failed delivery
        assert [path for _, path, _ in redirecting.requests] == [b"/cgi-bin/webhook/send?key=test"]
    finally:
        redirecting.server.shutdown()
        redirecting.server.server_close()
