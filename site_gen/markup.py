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

    def convert(self, text: str) -> str:
        """HTML for one page's body."""
        self._md.reset()
        return self._md.convert(text)
