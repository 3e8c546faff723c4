"""A case's body as safe HTML, and its images checked by their bytes.

The body is Markdown written by a street's staff and shown to the public, so raw HTML is never passed through
(it shows as text), links go only to http(s) and mail addresses, and Markdown images are off (a case's images
are uploaded, checked and served by this server).
"""

from __future__ import annotations

from typing import Final

from markdown_it import MarkdownIt
from markupsafe import Markup

from services.errors import InvalidError
from services.text import Text

_SAFE_LINK: Final = ("http://", "https://", "mailto:")


def _safe_link(url: str) -> bool:
    return url.strip().lower().startswith(_SAFE_LINK)


_MARKDOWN: Final = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable(
    ["image", "html_block", "html_inline"]
)
_MARKDOWN.validateLink = _safe_link  # type: ignore[method-assign]  # markdown-it's documented hook


def body_html(body: str) -> Markup:
    """The body rendered as HTML in which nothing runs: tags typed in it are text, unsafe links stay text."""
    return Markup(_MARKDOWN.render(body))  # noqa: S704 - markdown-it escapes all text; html is off


# The first bytes of the formats taken: a name or a declared type says nothing of what a file holds.
_SIGNATURES: Final = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))


def image_type(content: bytes, max_bytes: int) -> str:
    """The media type of an uploaded image judged by its bytes, or a 422 naming what is wrong with it."""
    if not content:
        raise InvalidError(Text("图片为空", "the image is empty"), extra={"field": "file"})
    if len(content) > max_bytes:
        mb = max_bytes // (1024 * 1024)
        raise InvalidError(Text(f"图片超过 {mb} MB", f"the image is larger than {mb} MB"), extra={"field": "file"})
    for signature, media_type in _SIGNATURES:
        if content.startswith(signature):
            return media_type
    raise InvalidError(
        Text("文件不是 JPEG 或 PNG 图片", "the file is not a JPEG or PNG image"), extra={"field": "file"}
    )
