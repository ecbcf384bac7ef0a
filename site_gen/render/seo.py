"""schema.org Event JSON-LD for webinar pages, safe inside a ``<script>`` block.

Search engines read the page's event from a ``<script
type="application/ld+json">`` data block (not executed, so the CSP's
``script-src 'self'`` allows it). Its text is not HTML-escaped by the
parser: whatever an author writes in a title must not be able to close the
block (``</script>``), open a comment (``<!--``) or, for tools that eval it
as JavaScript, end a line (U+2028/U+2029). :func:`json_ld` escapes those
characters as JSON ``\\uXXXX`` sequences, which every JSON parser reads back
as the same text.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from markupsafe import Markup

__all__ = ["event_json_ld", "json_ld"]

SCHEMA = "https://schema.org"
_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def json_ld(data: dict[str, Any]) -> Markup:
    """``data`` as JSON that cannot end or break out of the script element holding it."""
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
    return Markup(text.translate(_ESCAPES))  # noqa: S704 - every markup character escaped above


def event_json_ld(
    *,
    name: str,
    description: str,
    url: str,
    start: datetime,
    end: datetime,
    organizer_name: str,
    organizer_url: str,
    language: str,
    image: str | None = None,
    sequence: int = 0,
    previous_start: datetime | None = None,
) -> dict[str, Any]:
    """A schema.org Event for an online event, with Google's required and recommended fields.

    A rescheduled webinar (lock ``sequence`` > 0) says so, with its previous
    start when the lock remembers it, as Google asks of moved events.
    """
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "Event",
        "name": name,
        "url": url,
        "startDate": start.isoformat(),
        "endDate": end.isoformat(),
        "eventAttendanceMode": f"{SCHEMA}/OnlineEventAttendanceMode",
        "eventStatus": f"{SCHEMA}/{'EventRescheduled' if sequence > 0 else 'EventScheduled'}",
        "location": {"@type": "VirtualLocation", "url": url},
        "organizer": {"@type": "Organization", "name": organizer_name, "url": organizer_url},
        "inLanguage": language,
    }
    if description:
        data["description"] = description
    if image:
        data["image"] = [image]
    if sequence > 0 and previous_start is not None:
        data["previousStartDate"] = previous_start.isoformat()
    return data
