"""Webinar sites for the calendar, SEO, page and browser tests: built without an API.

A webinar is written with ``make_site``, its conference pinned in
``site-gen.lock`` by ``pin_webinars`` (as a build with API access would),
then built with a fixed clock.
"""

from __future__ import annotations

import json
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from icalendar import Calendar

from site_gen.commands.build import BuildOptions, build
from site_gen.paths import LOCK_FILE
from site_gen.structure.lock import Lock, SupersededConference
from tests.helpers import NOW, SiteFactory, pin_webinars, soup

#: The example webinar's start: 16:00 in Toronto (EDT, UTC-4) = 20:00 UTC.
START_UTC = datetime(2027, 3, 15, 20, 0, tzinfo=UTC)
END_UTC = START_UTC + timedelta(minutes=60)

HOSTILE = "</script><script>alert(1)</script> <!-- \"quoted\" 'single' & more;, x\u2028y\u2029z"


def webinar(
    title: str = "Q1 Launch",
    *,
    start: str = "2027-03-15 16:00",
    duration: int = 60,
    extra: str = "",
    body: str = "Join us.",
) -> str:
    """A webinar page's source (YAML front matter); ``extra`` adds front matter lines."""
    front = textwrap.dedent(
        f"""\
        title: {json.dumps(title)}
        kind: webinar
        host: marketing
        start: {start}
        duration: {duration}
        """
    )
    return f"---\n{front}{textwrap.dedent(extra)}---\n{body}\n"


def build_site(
    make_site: SiteFactory,
    files: dict[str, str],
    *,
    now: datetime = NOW,
    config: str | None = None,
    pin: bool = True,
    **pin_options: Any,
) -> Path:
    """Write a site, pin its webinars in the lock, build it at ``now``; returns public/."""
    kwargs: dict[str, Any] = {"with_default_page": False}
    if config is not None:
        kwargs["config"] = config
    root = make_site(files, **kwargs)
    if pin:
        pin_webinars(root, **pin_options)
    return rebuild(root, now=now)


def rebuild(root: Path, *, now: datetime = NOW) -> Path:
    """Build the site at ``root`` again into root/public."""
    build(root, BuildOptions(now=now, environ={}))
    return root / "public"


def reschedule_in_lock(root: Path, slug: str, *, previous_id: int, previous_start: str) -> None:
    """Make the lock say ``slug`` was moved once, from conference ``previous_id``."""
    lock = Lock.load(root / LOCK_FILE)
    section = lock.section("sandbox")
    entry = section.conferences[slug]
    section.conferences[slug] = entry.model_copy(
        update={
            "sequence": 1,
            "superseded": [
                SupersededConference(
                    conference_id=previous_id,
                    fingerprint="sha256:old",
                    start=previous_start,
                    time_zone=entry.time_zone,
                )
            ],
        }
    )
    lock.save()


def ics(path: Path) -> Calendar:
    """An .ics output file, parsed by icalendar."""
    return Calendar.from_ical(path.read_bytes())


def json_ld(page: Path) -> dict[str, Any]:
    """The page's one JSON-LD block, parsed."""
    blocks = soup(page).find_all("script", type="application/ld+json")
    assert len(blocks) == 1
    data: dict[str, Any] = json.loads(blocks[0].string)
    return data


def visible(element: Any) -> bool:
    """Not hidden by its own ``hidden`` attribute or an ancestor's."""
    node = element
    while node is not None and node.name != "[document]":
        if node.has_attr("hidden"):
            return False
        node = node.parent
    return True


def panel(html: BeautifulSoup, name: str) -> Any:
    """A webinar stage panel (countdown, live, ended) by class."""
    return html.find(class_=f"event-{name}")
