"""The optional per-tenant webhook: a WeCom (企业微信) group-robot markdown message, HMAC-signed.

Body: the WeCom robot format, ``{"msgtype": "markdown", "markdown": {"content": "..."}}``, so the URL
can be a WeCom robot's own ``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`` or a relay.

Headers, for a receiver that wants to check the message came from Jiequ (WeCom itself ignores them):

- ``X-Jiequ-Timestamp``: Unix seconds when the request was signed;
- ``X-Jiequ-Signature``: ``sha256=`` + lowercase hex HMAC-SHA256, keyed with the tenant's
  ``webhookSecret``, of the bytes ``{timestamp}.{body}`` (the timestamp, a full stop, the raw body);
- ``X-Jiequ-Delivery``: the event's dedupe key, the same on every retry, so a receiver can drop repeats.

A receiver recomputes the HMAC over the raw body it received, compares in constant time and
refuses a timestamp more than :data:`TOLERANCE_SECONDS` away from its clock (replays).
A delivery fails on a non-2xx answer or on a WeCom ``errcode`` other than 0; the activity's retry
policy then tries again.

Where it may post (the server must not be turned against the network it runs in): only ``https://`` URLs
(``http://`` where the deployment allows it, ``JIEQU_WEBHOOK_ALLOW_HTTP``), never to ``localhost`` or to a
loopback, private, link-local, unspecified, multicast or otherwise non-public address. A city's URL is
checked when it is saved (:func:`url_problem`: address literals only, so saving never depends on DNS),
and again when a message is sent: the name is resolved, every address it resolves to is checked, and the
request goes to a checked address (the name kept for the ``Host`` header and TLS), so a name that
resolves elsewhere between the check and the connection changes nothing. Redirects are never followed.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import socket
import urllib.parse
from typing import Any, Final

import httpx
import msgspec

from services.text import Text

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_URL_LENGTH: Final = 2000

SIGNATURE_HEADER = "X-Jiequ-Signature"
TIMESTAMP_HEADER = "X-Jiequ-Timestamp"
DELIVERY_HEADER = "X-Jiequ-Delivery"
TOLERANCE_SECONDS = 300
MAX_CONTENT_BYTES = 4096
"""WeCom refuses markdown content longer than this (UTF-8 bytes)."""


class WebhookError(RuntimeError):
    """The receiver did not accept the message; raised so the activity is retried."""


class WebhookRefusedError(WebhookError):
    """The URL, or an address its host resolves to, is one Jiequ does not post to: a retry would be
    refused again, so the activity gives up at once."""


class WebhookPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """Where a webhook may post: ``https://`` to public addresses; ``http://`` where the deployment allows."""

    allow_http: bool = False
    allow_private: bool = False
    """Only for a receiver of the tests on this machine: no deployment setting turns it on."""


def _literal(host: str) -> IPAddress | None:
    """The address a host names by itself, in any form a resolver reads as one (``127.1``, ``0x7f.0.0.1``,
    ``2130706433``, ``[::1]``), or None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def is_public(address: IPAddress) -> bool:
    """Whether an address is one a webhook may reach: globally routable unicast (an IPv4-mapped IPv6
    address is judged by its IPv4 address)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _not_public(host: str) -> Text:
    return Text(
        f"webhook 地址“{host}”指向本机、内网或保留地址，不予发送",
        f"the webhook host '{host}' is this machine, a private or a reserved address: Jiequ does not post there",
    )


def url_problem(url: str, policy: WebhookPolicy) -> Text | None:  # noqa: PLR0911 - one return per problem
    """Why Jiequ will not post to ``url``, or None; decided without DNS (saving must not depend on it)."""
    if len(url) > MAX_URL_LENGTH or any(c.isspace() or not c.isprintable() for c in url):
        return Text(
            f"webhook 地址不能含空白或控制字符，且不超过 {MAX_URL_LENGTH} 个字符",
            f"a webhook URL holds no whitespace or control characters and at most {MAX_URL_LENGTH} characters",
        )
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - reading it checks it (a port out of range raises)
    except ValueError:
        return Text("webhook 地址格式无效", "the webhook URL is not a valid URL")
    schemes = ("https", "http") if policy.allow_http else ("https",)
    if parts.scheme.lower() not in schemes:
        allowed = " 或 ".join(f"{s}://" for s in schemes), " or ".join(f"{s}://" for s in schemes)
        return Text(f"webhook 地址须以 {allowed[0]} 开头", f"a webhook URL must start with {allowed[1]}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return Text("webhook 地址缺少主机名", "the webhook URL names no host")
    if parts.username is not None or parts.password is not None:
        return Text("webhook 地址不能包含用户名或密码", "a webhook URL may not carry a user name or password")
    address = _literal(host)
    if host == "localhost" or host.endswith(".localhost") or (address is not None and not is_public(address)):
        return None if policy.allow_private else _not_public(host)
    return None


async def resolved(url: str, policy: WebhookPolicy) -> IPAddress:
    """The address to post ``url`` to, after checking the URL and every address its host resolves to."""
    problem = url_problem(url, policy)
    if problem is not None:
        raise WebhookRefusedError(str(problem))
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise WebhookError(f"webhook host {host} did not resolve: {exc}") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).partition("%")[0]) for info in found]
    if not addresses:
        raise WebhookError(f"webhook host {host} resolved to no address")
    if not policy.allow_private and not all(is_public(address) for address in addresses):
        raise WebhookRefusedError(str(_not_public(f"{host} → {', '.join(map(str, addresses))}")))
    return addresses[0]


def markdown_content(title: str, body: str) -> str:
    """A bold title and a quoted body, cut to what WeCom accepts."""
    content = f"**{title}**\n> {body}" if body else f"**{title}**"
    encoded = content.encode()
    if len(encoded) <= MAX_CONTENT_BYTES:
        return content
    return encoded[: MAX_CONTENT_BYTES - 3].decode(errors="ignore") + "…"


def payload(content: str) -> bytes:
    """The JSON body of a WeCom robot markdown message."""
    return msgspec.json.encode({"msgtype": "markdown", "markdown": {"content": content}})


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256(secret, ``{timestamp}.{body}``)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: int, body: bytes, signature: str, *, now: int) -> bool:
    """Whether ``signature`` is ``body``'s, signed within :data:`TOLERANCE_SECONDS` of ``now``."""
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


async def deliver(
    http: httpx.AsyncClient,
    url: str,
    secret: str | None,
    content: str,
    *,
    delivery: str,
    now: int,
    policy: WebhookPolicy,
) -> None:
    """POST ``content`` to ``url``, signed when the tenant has a secret; :class:`WebhookError` unless accepted,
    :class:`WebhookRefusedError` when the URL or its addresses are not allowed (see the module)."""
    address = await resolved(url, policy)
    target = httpx.URL(url)
    body = payload(content)
    # The request goes to the checked address; the name stays in Host and in TLS (SNI, certificate check).
    headers = {"Content-Type": "application/json", DELIVERY_HEADER: delivery, "Host": target.netloc.decode("ascii")}
    if secret:
        headers[TIMESTAMP_HEADER] = str(now)
        headers[SIGNATURE_HEADER] = sign(secret, now, body)
    try:
        response = await http.post(
            target.copy_with(host=str(address)),
            content=body,
            headers=headers,
            extensions={"sni_hostname": target.raw_host.decode("ascii")},
            follow_redirects=False,
        )
    except httpx.HTTPError as exc:
        raise WebhookError(f"webhook unreachable: {exc!r}") from exc
    if not response.is_success:
        raise WebhookError(f"webhook answered {response.status_code}")
    # WeCom answers 200 with {"errcode": …, "errmsg": …}; a relay may answer anything else.
    answer: Any = None
    try:
        answer = response.json()
    except ValueError:
        return
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        raise WebhookError(f"webhook refused the message: {answer.get('errmsg', answer['errcode'])}")
