"""schema.org Event JSON-LD and the meta tags search engines and social cards read."""

from __future__ import annotations

import json
from datetime import datetime

from site_gen.render.seo import json_ld
from tests.helpers import BASE_CONFIG, SiteFactory, soup, unhashed
from tests.webinars import (
    END_UTC,
    HOSTILE,
    START_UTC,
    build_site,
    rebuild,
    reschedule_in_lock,
    webinar,
)
from tests.webinars import json_ld as page_json_ld

SCHEMA = "https://schema.org"
#: Google's structured data guide for Event: required, then recommended properties.
GOOGLE_REQUIRED = ("name", "startDate", "location")
GOOGLE_RECOMMENDED = ("description", "endDate", "eventStatus", "image", "organizer")


def test_webinar_event_json_ld(make_site: SiteFactory) -> None:
    out = build_site(
        make_site,
        {"content/q1.md": webinar(extra='description: "All of 2027, live."\nimage: /img/q1.png\n')},
    )
    data = page_json_ld(out / "q1/index.html")
    for key in (*GOOGLE_REQUIRED, *GOOGLE_RECOMMENDED):
        assert data.get(key), key
    assert data["@context"] == SCHEMA
    assert data["@type"] == "Event"
    assert data["name"] == "Q1 Launch"
    assert data["description"] == "All of 2027, live."
    # ISO 8601 with the zone's offset, the same instants as the page and the .ics.
    assert data["startDate"] == "2027-03-15T16:00:00-04:00"
    assert datetime.fromisoformat(data["startDate"]) == START_UTC
    assert datetime.fromisoformat(data["endDate"]) == END_UTC
    assert data["eventAttendanceMode"] == f"{SCHEMA}/OnlineEventAttendanceMode"
    assert data["eventStatus"] == f"{SCHEMA}/EventScheduled"
    assert data["location"] == {"@type": "VirtualLocation", "url": "https://live.test.example/q1/"}
    assert data["organizer"] == {
        "@type": "Organization",
        "name": "Marketing",
        "url": "https://live.test.example/",
    }
    assert data["image"] == ["https://live.test.example/img/q1.png"]
    assert data["url"] == "https://live.test.example/q1/"
    assert "previousStartDate" not in data


def test_organizer_falls_back_to_the_site_title(make_site: SiteFactory) -> None:
    config = BASE_CONFIG.replace('name = "Marketing"\n', "")
    out = build_site(make_site, {"content/q1.md": webinar()}, config=config)
    data = page_json_ld(out / "q1/index.html")
    assert data["organizer"]["name"] == "Test Live"
    assert "description" not in data
    assert "image" not in data


def test_rescheduled_webinar_says_so(make_site: SiteFactory) -> None:
    out = build_site(make_site, {"content/q1.md": webinar()}, first_id=190)
    reschedule_in_lock(out.parent, "q1", previous_id=183, previous_start="2027-03-08 16:00:00")
    data = page_json_ld(rebuild(out.parent) / "q1/index.html")
    assert data["eventStatus"] == f"{SCHEMA}/EventRescheduled"
    assert data["previousStartDate"] == "2027-03-08T16:00:00-05:00"


def test_only_webinars_have_json_ld(make_site: SiteFactory) -> None:
    out = build_site(make_site, {"content/room.md": "---\ntitle: Room\nhost: marketing\n---\n"})
    assert soup(out / "room/index.html").find("script", type="application/ld+json") is None


def test_json_ld_cannot_leave_its_script_element() -> None:
    text = str(json_ld({"name": HOSTILE}))
    for character in ("<", ">", "&", "\u2028", "\u2029"):
        assert character not in text
    assert "\\u003c/script\\u003e" in text
    assert json.loads(text) == {"name": HOSTILE}


def test_hostile_title_and_description_stay_data(make_site: SiteFactory) -> None:
    title = f"Launch {HOSTILE}"
    description = f"About {HOSTILE}"
    out = build_site(
        make_site,
        {
            "content/q1.md": webinar(
                title,
                extra=f"description: {json.dumps(description)}\n",
            )
        },
    )
    page = out / "q1/index.html"
    html = soup(page)
    # No element came out of the text: one data block and the site's script, no more.
    scripts = html.find_all("script")
    assert [(s.get("type"), s.get("src") and unhashed(s["src"])) for s in scripts] == [
        (None, "/assets/site-gen.js"),
        ("application/ld+json", None),
    ]
    assert html.find("h1").text == title
    assert html.find("p", class_="lede").text == description
    data = page_json_ld(page)
    assert data["name"] == title
    assert data["description"] == description
    assert html.find("meta", property="og:title")["content"] == title
    assert html.find("meta", attrs={"name": "description"})["content"] == description
    assert html.find("iframe")["title"] == f"{title}: video room"


def test_webinar_meta_tags(make_site: SiteFactory) -> None:
    config = BASE_CONFIG.replace(
        'base_url = "https://live.test.example"', 'base_url = "https://acme.example/live"'
    )
    out = build_site(
        make_site,
        {"content/q1.md": webinar(extra='description: "Big news"\nimage: /img/q1.png\n')},
        config=config,
    )
    html = soup(out / "q1/index.html")

    def meta(**attrs: str) -> str:
        return html.find("meta", attrs=attrs)["content"]

    url = "https://acme.example/live/q1/"
    image = "https://acme.example/live/img/q1.png"
    assert html.find("link", rel="canonical")["href"] == url
    assert meta(name="description") == "Big news"
    assert meta(property="og:url") == url
    assert meta(property="og:type") == "website"
    assert meta(property="og:title") == "Q1 Launch"
    assert meta(property="og:description") == "Big news"
    assert meta(property="og:site_name") == "Test Live"
    assert meta(property="og:image") == image
    assert meta(name="twitter:card") == "summary_large_image"
    assert meta(name="twitter:title") == "Q1 Launch"
    assert meta(name="twitter:description") == "Big news"
    assert meta(name="twitter:image") == image
    assert page_json_ld(out / "q1/index.html")["image"] == [image]
    # Site-relative links keep the base path.
    assert html.find("a", string="Download .ics")["href"] == "/live/q1/event.ics"


def test_listing_pages_have_their_own_canonical_url(make_site: SiteFactory) -> None:
    out = build_site(make_site, {"content/q1.md": webinar(extra="tags: [Product Launch]\n")})
    for rel, url, title in (
        ("index.html", "https://live.test.example/", "Test Live"),
        (
            "tags/product-launch/index.html",
            "https://live.test.example/tags/product-launch/",
            "Product Launch · Test Live",
        ),
        ("tags/index.html", "https://live.test.example/tags/", "Topics · Test Live"),
    ):
        html = soup(out / rel)
        assert html.find("link", rel="canonical")["href"] == url
        assert html.find("meta", property="og:url")["content"] == url
        assert html.find("meta", property="og:title")["content"] == title
        assert html.find("meta", attrs={"name": "twitter:card"})["content"] == "summary"
