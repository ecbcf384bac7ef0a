"""Hostile content: text stays text in every place a page puts it; links out are not followed."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from site_gen.commands.build import BuildOptions, build
from site_gen.errors import ValidationFailed
from tests.helpers import BASE_CONFIG, NOW, SiteFactory, pin_webinars, soup

EVIL = (
    "</script><script>alert(1)</script>\"' onload=alert(2) "
    "<img src=x onerror=alert(3)> & {{ 7*7 }}"
)
SAFE_SCRIPT_TYPES = {"application/ld+json"}


def hostile_site(make_site: SiteFactory) -> Path:
    config = BASE_CONFIG.replace('name = "Marketing"', f"name = {json.dumps(EVIL)}")
    config = config.replace('title = "Test Live"', f"title = {json.dumps(EVIL)}")
    front = {
        "title": EVIL,
        "description": EVIL,
        "host": "marketing",
        "tags": [EVIL],
        "embed": {"name": EVIL, "mute": ["camera"]},
        "on_leave": {"kicked": EVIL, "blocked": EVIL + " blocked", "left": "/"},
    }
    webinar = {
        "title": EVIL, "description": EVIL, "kind": "webinar", "host": "marketing",
        "start": "2027-03-15 16:00", "duration": 60, "on_leave": {"left": EVIL},
        "participant_emails": [{"email": "bob@example.com", "moderator": True}],
    }
    root = make_site(
        {
            "content/office-hours.md": f"---\n{json.dumps(front)}\n---\n{EVIL}\n",
            "content/launch.md": f"---\n{json.dumps(webinar)}\n---\nBody\n",
        },
        config=config,
    )
    pin_webinars(root)
    build(root, BuildOptions(now=NOW, environ={}))
    return root / "public"


def assert_inert(html_file: Path) -> None:
    """No script but ours and JSON-LD, no event-handler attribute, no injected element."""
    doc = soup(html_file)
    for script in doc.find_all("script"):
        assert script.get("src") or script.get("type") in SAFE_SCRIPT_TYPES, script
        if script.get("type") == "application/ld+json":
            json.loads(script.string)  # still valid JSON: nothing broke out
    for element in doc.find_all(True):
        for attribute in element.attrs:
            assert not attribute.lower().startswith("on"), (element.name, attribute)
    assert not doc.find("img", src="x")


def test_hostile_text_is_inert_in_every_html_page(make_site: SiteFactory) -> None:
    public = hostile_site(make_site)
    pages = sorted(public.rglob("*.html"))
    assert len(pages) >= 4
    for page in pages:
        assert_inert(page)


def test_hostile_text_is_kept_exactly_where_it_belongs(make_site: SiteFactory) -> None:
    public = hostile_site(make_site)
    doc = soup(public / "office-hours/index.html")
    assert doc.find("h1").get_text(strip=True) == EVIL.strip()
    frame = doc.find("iframe")
    assert frame["title"].startswith(EVIL) or EVIL in frame["title"]
    query = parse_qs(urlsplit(frame["src"]).query)
    assert query["name"] == [EVIL]
    assert urlsplit(frame["src"]).path == "/conf/call/1234567"
    holder = doc.find(attrs={"data-on-leave-kicked-message": True})
    assert holder["data-on-leave-kicked-message"] == EVIL
    assert holder["data-on-leave-blocked-message"] == EVIL + " blocked"


def test_hostile_text_in_json_ld_and_ics_stays_data(make_site: SiteFactory) -> None:
    from icalendar import Calendar

    public = hostile_site(make_site)
    doc = soup(public / "launch/index.html")
    (block,) = doc.find_all("script", type="application/ld+json")
    data = json.loads(block.string)
    assert data["name"] == EVIL
    assert "</script" not in block.string.lower()
    calendar = Calendar.from_ical((public / "launch/event.ics").read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == EVIL


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "data:text/html,x",
    "//evil.example/x", "vbscript:msgbox(1)", "java\tscript:alert(1)",
])
@pytest.mark.parametrize("key", ["image", "recording_url", "on_leave.left"])
def test_dangerous_urls_are_refused(make_site: SiteFactory, url: str, key: str) -> None:
    if key == "on_leave.left":
        front = {"title": "x", "host": "marketing", "on_leave": {"left": url}}
    elif key == "recording_url":
        front = {"title": "x", "host": "marketing", "kind": "webinar", "start": "2026-01-01 10:00",
                 "duration": 30, "recording_url": url}
    else:
        front = {"title": "x", "host": "marketing", key: url}
    root = make_site({"content/page.md": f"---\n{json.dumps(front)}\n---\n"})
    if key == "on_leave.left" and any(c.isspace() for c in url.strip()):
        # Not a single token: on_leave shows it as a message, never follows it.
        build(root, BuildOptions(now=NOW, environ={}))
        page = soup(root / "public/page/index.html")
        holder = page.find(attrs={"data-on-leave-left-message": True})
        assert holder["data-on-leave-left-message"] == url
        assert not holder.get("data-on-leave-left-url")
        return
    with pytest.raises(ValidationFailed) as caught:
        build(root, BuildOptions(now=NOW, environ={}))
    assert any(p.path == "content/page.md" and p.line for p in caught.value.problems), str(
        caught.value)
    assert not (root / "public").exists()


def test_symlinks_out_of_the_site_are_not_followed(make_site: SiteFactory, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = "TOP-SECRET-3e1f"
    (outside / "leak.md").write_text(f"---\ntitle: {secret}\nhost: marketing\n---\n{secret}\n")
    (outside / "leak.txt").write_text(secret)
    (outside / "pages").mkdir()
    (outside / "pages" / "more.md").write_text(f"---\ntitle: {secret}\nhost: marketing\n---\n")
    root = make_site({"static/inside.txt": "fine"})
    (root / "content" / "leak.md").symlink_to(outside / "leak.md")
    (root / "content" / "pages").symlink_to(outside / "pages")
    (root / "static" / "leak.txt").symlink_to(outside / "leak.txt")
    (root / "static" / "alias.txt").symlink_to(root / "static" / "inside.txt")
    build(root, BuildOptions(now=NOW, environ={}))
    public = root / "public"
    for file in public.rglob("*"):
        if file.is_file():
            assert secret not in file.read_text(errors="replace"), file
    assert not (public / "leak").exists()
    assert not (public / "leak.txt").exists()
    assert (public / "alias.txt").read_text() == "fine"  # a link inside the site is fine


def test_a_folder_linking_back_up_is_walked_once(make_site: SiteFactory) -> None:
    root = make_site(
        {"content/talks/a.md": "---\ntitle: A\nhost: marketing\n---\n"}, with_default_page=False
    )
    (root / "content" / "talks" / "again").symlink_to(root / "content")
    (root / "content" / "mirror").symlink_to(root / "content" / "talks")  # a plain alias
    # Before: the no-op check's walk of content/ never ended (memory grew
    # until killed); the link back up is now skipped wherever content is walked.
    report = build(root, BuildOptions(now=NOW, environ={}))
    pages = {p.parent.relative_to(root / "public").as_posix() for p in
             (root / "public").rglob("index.html")}
    assert pages == {".", "talks/a", "mirror/a"}  # an alias is a folder like any other
    assert report.pages == 2
    assert build(root, BuildOptions(now=NOW, environ={})).pages == 2  # the no-op replay
