"""Markdown bodies to HTML, safe by default.

Raw HTML in Markdown is escaped unless ``[markdown] unsafe_html = true``
(Hugo's rule), and links or images whose URL would run script are dropped
to their text: an author's paste must not become a script on the page.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import markdown
from markdown.treeprocessors import Treeprocessor

__all__ = ["MarkdownRenderer"]

_SAFE_URL = re.compile(r"^(?:https?:|mailto:|tel:|#|/(?!/)|\./|\.\./|[^:/?#]*(?:[/?#]|$))", re.I)


def is_safe_url(url: str) -> bool:
    """Relative, fragment, http(s), mailto and tel URLs; nothing that can run code."""
    cleaned = "".join(ch for ch in url if ch > " ")
    return bool(_SAFE_URL.match(cleaned))


class _DropUnsafeUrls(Treeprocessor):
    def run(self, root: ET.Element) -> None:
        for element in root.iter():
            for attr in ("href", "src"):
                value = element.get(attr)
                if value is not None and not is_safe_url(value):
                    del element.attrib[attr]


class MarkdownRenderer:
    """One reusable python-markdown instance (building one per page is slow)."""

    def __init__(self, *, unsafe_html: bool = False) -> None:
        self._md = markdown.Markdown(
            extensions=["tables", "fenced_code", "toc", "sane_lists"],
            output_format="html",
        )
        if not unsafe_html:
            self._md.preprocessors.deregister("html_block")
            self._md.inlinePatterns.deregister("html")
            self._md.treeprocessors.register(_DropUnsafeUrls(self._md), "drop_unsafe_urls", 0)
        self.unsafe_html = unsafe_html
        #: Bodies already converted elsewhere (markdown_prefetch.py), by their text.
        self._converted: dict[str, str] = {}

    def adopt(self, converted: dict[str, str], *, unsafe_html: bool) -> None:
        """Take bodies another process converted, if with the same settings."""
        if unsafe_html == self.unsafe_html:
            self._converted.update(converted)

    def convert(self, text: str) -> str:
        """HTML for one page's body."""
        html = self._converted.get(text)
        if html is not None:
            return html
        self._md.reset()
        return self._md.convert(text)
