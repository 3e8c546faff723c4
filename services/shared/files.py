"""Uploaded files judged by their bytes: a name or a declared type says nothing of what a file holds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from litestar import Response

from services.errors import InvalidError
from services.text import Text

JPEG: Final = (b"\xff\xd8\xff", "image/jpeg")
PNG: Final = (b"\x89PNG\r\n\x1a\n", "image/png")
PDF: Final = (b"%PDF-", "application/pdf")
"""The first bytes of each format taken, and its media type."""


def content_type(content: bytes, max_bytes: int, accepted: Sequence[tuple[bytes, str]], what: Text) -> str:
    """The media type of an upload by its first bytes, one of ``accepted``, or a 422 naming what is wrong with
    it: empty, over ``max_bytes``, or none of the formats (``what`` names the file and the formats taken)."""
    if not content:
        raise InvalidError(Text("文件为空", "the file is empty"), extra={"field": "file"})
    if len(content) > max_bytes:
        mb = max_bytes // (1024 * 1024)
        raise InvalidError(Text(f"文件超过 {mb} MB", f"the file is larger than {mb} MB"), extra={"field": "file"})
    for signature, media_type in accepted:
        if content.startswith(signature):
            return media_type
    raise InvalidError(Text(f"文件不是 {what.zh}", f"the file is not {what.en}"), extra={"field": "file"})


def file_response(found: tuple[str, bytes]) -> Response[bytes]:
    """A stored file (its media type and bytes) as the answer, kept privately by the browser for five minutes."""
    media_type, content = found
    return Response(content, media_type=media_type, headers={"Cache-Control": "private, max-age=300"})
