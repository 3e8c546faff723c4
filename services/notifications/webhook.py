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
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import httpx
import msgspec

SIGNATURE_HEADER = "X-Jiequ-Signature"
TIMESTAMP_HEADER = "X-Jiequ-Timestamp"
DELIVERY_HEADER = "X-Jiequ-Delivery"
TOLERANCE_SECONDS = 300
MAX_CONTENT_BYTES = 4096
"""WeCom refuses markdown content longer than this (UTF-8 bytes)."""


class WebhookError(RuntimeError):
    """The receiver did not accept the message; raised so the activity is retried."""


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
    http: httpx.AsyncClient, url: str, secret: str | None, content: str, *, delivery: str, now: int
) -> None:
    """POST ``content`` to ``url``, signed when the tenant has a secret; :class:`WebhookError` unless accepted."""
    body = payload(content)
    headers = {"Content-Type": "application/json", DELIVERY_HEADER: delivery}
    if secret:
        headers[TIMESTAMP_HEADER] = str(now)
        headers[SIGNATURE_HEADER] = sign(secret, now, body)
    try:
        response = await http.post(url, content=body, headers=headers)
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
