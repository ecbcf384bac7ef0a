"""Webinar pages as built (before any script runs), the home page and tag pages."""

from __future__ import annotations

import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest

from site_gen.commands.build import BuildOptions, build
from site_gen.errors import ValidationFailed
from site_gen.render.theme import bundled_root
from site_gen.structure.tags import tag_path, tag_slug
from tests.helpers import BASE_CONFIG, NOW, SiteFactory, soup
from tests.webinars import END_UTC, START_UTC, build_site, panel, visible, webinar

RECORDING = "recording_url: https://videos.example.com/q1\n"


def states(html) -> dict[str, bool]:
    """Which stage panels and status badges a visitor sees without JavaScript."""
    shown = {
        name: visible(panel(html, name))
        for name in ("countdown", "live", "ended")
        if panel(html, name) is not None
    }
    for badge in html.find_all(class_="badge", attrs={"data-event-show": True}):
        shown[badge.text] = visible(badge)
    return shown


@pytest.mark.parametrize(
    ("now", "state", "seen"),
    [
        (NOW, "upcoming", {"countdown", "Upcoming"}),
        (START_UTC - timedelta(minutes=5), "open", {"live", "Starting soon"}),
        (START_UTC + timedelta(minutes=1), "live", {"live", "Live now"}),
    ],
)
def test_state_at_build_time(
    make_site: SiteFactory, now: datetime, state: str, seen: set[str]
) -> None:
    out = build_site(make_site, {"content/q1.md": webinar(extra=RECORDING)}, now=now)
    html = soup(out / "q1/index.html")
    article = html.find("article", attrs={"data-event": True})
    assert article["data-event-state"] == state
    assert datetime.fromisoformat(article["data-event-start"]) == START_UTC
    assert datetime.fromisoformat(article["data-event-end"]) == END_UTC
    assert datetime.fromisoformat(article["data-event-opens"]) == START_UTC - timedelta(minutes=10)
    assert {name for name, shown in states(html).items() if shown} == seen
    # The room waits in a <template> whatever the state: the script mounts it.
    (frame,) = html.find_all("iframe")
    assert frame.parent.name == "template"
    assert frame.parent.parent.has_attr("data-callbridge-room")
    # Without JavaScript a plain link opens the same room.
    fallback = [a["href"] for a in html.select("noscript a")]
    assert fallback and set(fallback) == {frame["src"]}


def test_ended_webinar_shows_the_recording(make_site: SiteFactory) -> None:
    out = build_site(
        make_site, {"content/q1.md": webinar(extra=RECORDING)}, now=END_UTC + timedelta(hours=1)
    )
    html = soup(out / "q1/index.html")
    assert {name for name, shown in states(html).items() if shown} == {"ended", "Ended"}
    assert html.find("iframe") is None
    assert html.find("a", string="Watch the recording")["href"] == "https://videos.example.com/q1"
    assert not visible(html.find("details", class_="add-to-calendar"))


def test_ended_webinar_without_recording(make_site: SiteFactory) -> None:
    out = build_site(make_site, {"content/q1.md": webinar()}, now=END_UTC)
    ended = panel(soup(out / "q1/index.html"), "ended")
    assert visible(ended)
    assert ended.find("a", string="Watch the recording") is None
    assert ended.find("a", string="See upcoming events")["href"] == "/"


def test_start_in_the_event_zone_and_details(make_site: SiteFactory) -> None:
    out = build_site(
        make_site,
        {
            "content/q1.md": webinar(
                extra='time_zone: Europe/Berlin\nsecurity_pin: "123456"\nshow_security_pin: true\n'
            )
        },
    )
    html = soup(out / "q1/index.html")
    start = html.find("time", class_="event-start")
    assert start["datetime"] == "2027-03-15T16:00:00+01:00"
    # CLDR's full date and short time (Babel), as Intl writes them: the zone on its own line.
    assert start.text == "Monday, March 15, 2027, 4:00 PM"
    assert start.has_attr("data-local-time")
    zone = html.find(attrs={"data-zone": "event"}).text
    assert zone == "Time zone: Central European Standard Time"
    details = {
        div.dt.text: div.dd.text for div in html.find("aside", class_="event-details").dl("div")
    }
    assert details == {
        "Date": "Monday, March 15, 2027",
        "Time": "4:00 PM to 5:00 PM",
        "Where": "Online, on this page",
        "Host": "Marketing",
        "Security PIN": "123456",
    }


def test_room_opens_minutes_is_a_site_setting(make_site: SiteFactory) -> None:
    config = BASE_CONFIG + "\n[events]\nroom_opens_minutes = 30\n"
    out = build_site(
        make_site,
        {"content/q1.md": webinar()},
        config=config,
        now=START_UTC - timedelta(minutes=20),
    )
    html = soup(out / "q1/index.html")
    article = html.find("article")
    assert article["data-event-state"] == "open"
    assert datetime.fromisoformat(article["data-event-opens"]) == START_UTC - timedelta(minutes=30)
    note = " ".join(panel(html, "countdown").find("p", class_="panel-note").text.split())
    assert note.startswith("The room opens right here 30 minutes before the start.")


def test_room_opens_minutes_must_not_be_negative(make_site: SiteFactory) -> None:
    root = make_site(config=BASE_CONFIG + "\n[events]\nroom_opens_minutes = -5\n")
    with pytest.raises(ValidationFailed) as caught:
        build(root, BuildOptions(now=NOW, environ={}))
    line = BASE_CONFIG.count("\n") + 3
    assert [str(p) for p in caught.value.problems] == [
        f"site.toml:{line}: events.room_opens_minutes: must be greater than or equal to 0"
    ]


def test_unscheduled_preview_shows_the_placeholder_not_a_room(make_site: SiteFactory) -> None:
    from site_gen.output.write_site import write_site
    from site_gen.structure.lock import ApiSection
    from site_gen.structure.resolve import resolve_pages
    from site_gen.structure.site import load_site

    root = make_site({"content/q1.md": webinar()}, with_default_page=False)
    site = load_site(root, environ={})
    pages = list(site.pages)
    resolved, problems = resolve_pages(site, pages, ApiSection(), now=NOW, preview=True)
    assert problems == []
    write_site(site, resolved, root / "preview", now=NOW)
    html = soup(root / "preview/q1/index.html")
    assert html.find(class_="cb-placeholder") is not None
    assert html.find("iframe") is None
    assert visible(panel(html, "countdown"))


def test_home_page_lists_upcoming_soonest_first_then_past(make_site: SiteFactory) -> None:
    out = build_site(
        make_site,
        {
            "content/late.md": webinar("Late", start="2027-06-01 10:00"),
            "content/soon.md": webinar("Soon", start="2027-02-01 10:00"),
            "content/old.md": webinar("Old", start="2026-10-01 10:00"),
            "content/older.md": webinar("Older", start="2026-05-01 10:00"),
            "content/room.md": "---\ntitle: Drop-in room\nhost: marketing\n---\n",
        },
    )
    html = soup(out / "index.html")

    def section(heading: str) -> list[tuple[str, str]]:
        cards = html.find("h2", string=heading).find_parent("section").find_all("li")
        return [
            (c.find("a", class_="card-link").text, c.time.text if c.time else "") for c in cards
        ]

    assert section("Upcoming events") == [
        ("Soon", "Monday, February 1, 2027, 10:00 AM"),
        ("Late", "Tuesday, June 1, 2027, 10:00 AM"),
    ]
    assert section("Past events") == [
        ("Old", "Thursday, October 1, 2026, 10:00 AM"),
        ("Older", "Friday, May 1, 2026, 10:00 AM"),
    ]
    assert section("Rooms and streams") == [("Drop-in room", "")]
    zones = [z.text for z in html.find_all(class_="card-zone")]
    assert zones == ["Eastern Standard Time"] + ["Eastern Daylight Time"] * 3
    soon = html.find("a", string="Soon").find_parent("li")
    assert soon["data-event-start"] == "2027-02-01T10:00:00-05:00"
    assert [b.text for b in soon.find_all(class_="badge") if visible(b)] == [
        "Webinar",
        "Upcoming",
    ]
    subscribe = html.find("a", string="Subscribe to the calendar")
    assert subscribe["href"] == "webcal://live.test.example/events.ics"


def test_tag_pages(make_site: SiteFactory) -> None:
    out = build_site(
        make_site,
        {
            "content/a.md": webinar("A", extra="tags: [Product, Q&A]\n"),
            "content/b.md": webinar("B", start="2026-01-05 10:00", extra="tags: [product]\n"),
            "content/c.md": "---\ntitle: C\nhost: marketing\ntags: [Café]\n---\n",
            "content/d.md": webinar("D", extra="tags: [Product]\ndraft: true\n"),
        },
    )
    tags = soup(out / "tags/index.html").find("ul", class_="tags")
    assert [(a["href"], a.contents[0].strip()) for a in tags("a")] == [
        ("/tags/caf%C3%A9/", "Café"),
        ("/tags/product/", "Product"),
        ("/tags/q-a/", "Q&A"),
    ]
    counts = [a.find(class_="tag-count").find(class_="visually-hidden") for a in tags("a")]
    assert [c.text for c in counts] == [
        "(1 page)",
        "(2 pages)",
        "(1 page)",
    ]
    product = soup(out / "tags/product/index.html")
    assert product.h1.text == "Product"
    titles = {
        h2.text: [a.text for a in h2.find_parent("section").find_all("a", class_="card-link")]
        for h2 in product.find_all("h2")
    }
    assert titles == {"Upcoming events": ["A"], "Past events": ["B"]}
    assert (out / "tags/café/index.html").is_file()
    page_tags = soup(out / "a/index.html").find("ul", class_="tags")
    assert [a["href"] for a in page_tags("a")] == ["/tags/product/", "/tags/q-a/"]
    locs = [
        el.text
        for el in ET.parse(out / "sitemap.xml")
        .getroot()
        .iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    ]
    assert locs[-4:] == [
        "https://live.test.example/tags/",
        "https://live.test.example/tags/caf%C3%A9/",
        "https://live.test.example/tags/product/",
        "https://live.test.example/tags/q-a/",
    ]


def test_no_tags_no_tag_pages(make_site: SiteFactory) -> None:
    out = build_site(make_site, {"content/q1.md": webinar()})
    assert not (out / "tags").exists()
    assert soup(out / "index.html").find("h2", string="Browse by topic") is None


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Product", "product"),
        ("Product Launch", "product-launch"),
        ("  Q&A  ", "q-a"),
        ("C++/Rust", "c-rust"),
        ("snake_case", "snake-case"),
        ("Café", "café"),
        ("日本語", "日本語"),
        ("../..", "tag-"),
        # Combining marks are kept: Indic vowel signs and viramas, Thai vowels.
        ("हिन्दी", "हिन्दी"),
        ("தமிழ்", "தமிழ்"),
        ("বাংলা ভাষা", "বাংলা-ভাষা"),
        ("ที่นี่ ภาษาไทย", "ที่นี่-ภาษาไทย"),
        ("Café au lait", "café-au-lait"),  # decomposed é: NFKC composes it
        # Unchanged URLs of tags without marks, including case folding's quirks.
        ("İstanbul", "i-stanbul"),
        ("Straße", "strasse"),
        ("Ελληνικά", "ελληνικά"),
        ("한국어 태그", "한국어-태그"),
        ("ＡＢＣ１２３", "abc123"),
        ("中文_标签", "中文-标签"),
    ],
)
def test_tag_slug(name: str, slug: str) -> None:
    result = tag_slug(name)
    assert result.startswith(slug) if slug == "tag-" else result == slug
    assert "/" not in result and "." not in result
    assert tag_path(result).startswith("/tags/")


def test_tags_without_marks_keep_their_urls() -> None:
    """Every assigned character, alone and between words: the slug is what it was before
    marks were kept (letters and digits, the rest a '-'), unless NFKC gives it a mark.
    """
    not_word = re.compile(r"[\W_]+")

    def before(name: str) -> str:
        return not_word.sub("-", unicodedata.normalize("NFKC", name).casefold()).strip("-")

    changed = []
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.category(char) in ("Cn", "Cs", "Co"):
            continue
        name = f"a{char}b"
        if any(unicodedata.category(c)[0] == "M" for c in unicodedata.normalize("NFKC", name)):
            continue
        if tag_slug.__wrapped__(name) != before(name):
            changed.append(f"U+{code:04X}")
    assert changed == []


def test_tag_pages_in_indic_scripts_keep_every_letter(make_site: SiteFactory) -> None:
    out = build_site(
        make_site,
        {"content/a.md": "---\ntitle: A\nhost: marketing\ntags: [हिन्दी, தமிழ்]\n---\n"},
    )
    assert (out / "tags/हिन्दी/index.html").is_file()
    assert (out / "tags/தமிழ்/index.html").is_file()
    links = soup(out / "a/index.html").find("ul", class_="tags")("a")
    assert [a["href"] for a in links] == [tag_path("हिन्दी"), tag_path("தமிழ்")]
    assert soup(out / "tags/हिन्दी/index.html").h1.text == "हिन्दी"


def test_cards_are_the_same_on_the_home_and_tag_pages(make_site: SiteFactory) -> None:
    # memo(card, item) renders each card once per build: every listing that
    # shows a page must still show its own card, never another page's.
    out = build_site(
        make_site,
        {
            "content/a.md": webinar("A", extra="tags: [Product, Q&A]\n"),
            "content/b.md": webinar("B", start="2026-01-05 10:00", extra="tags: [product]\n"),
            "content/c.md": "---\ntitle: C\nhost: marketing\ntags: [Q&A]\n---\n",
        },
    )

    def cards(path: str) -> dict[str, str]:
        found = soup(out / path).find_all("li", class_="card")
        return {c.find("a", class_="card-link").text: str(c) for c in found}

    home = cards("index.html")
    assert sorted(home) == ["A", "B", "C"]
    assert cards("tags/product/index.html") == {k: home[k] for k in ("A", "B")}
    assert cards("tags/q-a/index.html") == {k: home[k] for k in ("A", "C")}
    assert "Past events" not in home["A"] and 'data-event-state="ended"' in home["B"]


def test_a_listing_override_without_memo_renders_the_same(make_site: SiteFactory) -> None:
    pages = {
        "content/a.md": webinar("A", extra="tags: [Product]\n"),
        "content/c.md": "---\ntitle: C\nhost: marketing\ntags: [Product]\n---\n",
    }
    theme = (bundled_root() / "templates/partials/listing.html").read_text()
    assert "memo(card, item)" in theme
    plain = theme.replace("memo(card, item)", "card(item)")
    memoised = build_site(make_site, pages)
    overridden = build_site(make_site, {**pages, "templates/partials/listing.html": plain})
    for rel in ("index.html", "tags/product/index.html"):
        assert (overridden / rel).read_text() == (memoised / rel).read_text()
