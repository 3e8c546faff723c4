"""A case's body as safe HTML, and its images checked by their bytes (services.shared.files).

The body is Markdown written by a street's staff and shown to the public, so raw HTML is never passed through
(it shows as text), links go only to http(s) and mail addresses, and Markdown images are off (a case's images
are uploaded, checked and served by this server).
"""

from __future__ import annotations

from typing import Final

from markdown_it import MarkdownIt
from markupsafe import Markup

from services.shared.files import JPEG, PNG, content_type
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


def image_type(content: bytes, max_bytes: int) -> str:
    """The media type of an uploaded image judged by its bytes, or a 422 naming what is wrong with it."""
    return content_type(content, max_bytes, (JPEG, PNG), Text("JPEG 或 PNG 图片", "a JPEG or PNG image"))
