"""Whole builds on temp sites: output files, parsed HTML, atomicity."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from site_gen.commands.build import BuildOptions, build
from site_gen.errors import BuildFailed, ValidationFailed
from tests.helpers import NOW, SiteFactory, pin_webinars, snapshot, soup, unhashed

REPO = Path(__file__).resolve().parents[1]


def run(root: Path, **options: object) -> Path:
    out = root / "public"
    build(root, BuildOptions(now=NOW, environ={}, **options))  # type: ignore[arg-type]
    return out


def iframe(path: Path):
    frames = soup(path).find_all("iframe")
    assert len(frames) == 1
    return frames[0]


def query(src: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(src).query, keep_blank_values=True, strict_parsing=True)


def test_room_page_iframe(make_site: SiteFactory) -> None:
    root = make_site(
        {
            "content/office-hours.md": """\
        ---
        title: "Office Hours"
        host: marketing
        embed:
          name: "Steve Irwin & co"
          skip_join: true
          observer: false
          mute: [camera, mic]
          view: bottom_speaker
          res: 720
          tiles: 9
          audio_level: true
        ---
        Hi.
        """
        }
    )
    out = run(root)
    frame = iframe(out / "office-hours/index.html")
    src = urlsplit(frame["src"])
    assert (src.scheme, src.netloc, src.path) == (
        "https",
        "meet.test.example",
        "/conf/call/1234567",
    )
    assert query(frame["src"]) == [
        ("name", "Steve Irwin & co"),
        ("skip_join", "true"),
        ("observer", "false"),
        ("mute", "camera,mic"),
        ("view", "bottom_speaker"),
        ("res", "720"),
        ("tiles", "9"),
        ("audio_level", "true"),
        ("events", "true"),
    ]
    assert frame["allow"] == "camera;microphone;fullscreen;autoplay;display-capture"
    assert frame["title"] == "Office Hours: video room"


def test_watch_party_is_always_a_strip(make_site: SiteFactory) -> None:
    root = make_site(
        {
            "content/party.md": """\
        ---
        title: Party
        kind: watch_party
        host: marketing
        embed: {strip_layout: false, skip_join: true}
        ---
        """
        }
    )
    frame = iframe(run(root) / "party/index.html")
    assert query(frame["src"]) == [
        ("skip_join", "true"),
        ("strip_layout", "true"),
        ("events", "true"),
    ]
    assert "cb-strip" in frame.parent["class"]


def test_livestream_of_a_host(make_site: SiteFactory) -> None:
    root = make_site(
        {
            "content/live.md": """\
        ---
        title: Keynote
        kind: livestream
        stream_of: marketing
        ---
        """
        }
    )
    frame = iframe(run(root) / "live/index.html")
    assert frame["src"] == "https://meet.test.example/livestream/1234567"
    assert frame["allow"] == "fullscreen;autoplay"
    assert frame["title"] == "Keynote: live stream"


def test_example_site_builds(tmp_path: Path) -> None:
    out = tmp_path / "public"
    report = build(REPO, BuildOptions(out=out, now=NOW, environ={}))
    assert report.pages >= 3
    kinds = set()
    for page in out.glob("*/index.html"):
        html = soup(page)
        if page.parent.name == "fr":  # the example's French home page, a listing
            continue
        kinds.add(html.body["class"][0])
        for frame in html.find_all("iframe"):
            assert frame["title"]
            assert frame["allow"]
            assert dict(query(frame["src"])).get("events", "true") == "true"
    assert {"kind-room", "kind-livestream", "kind-watch-party"} <= kinds


def test_site_files(make_site: SiteFactory) -> None:
    out = run(make_site())
    rels = (p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    files = sorted(re.sub(r"\.[0-9a-f]{10}(\.\w+)$", r"\1", rel) for rel in rels)
    assert files == [
        "404.html",
        "_headers",
        "assets/favicon.svg",  # the theme's assets only: never the example's images
        "assets/site-gen.css",
        "assets/site-gen.js",
        "events.ics",
        # the same, named by their content, which pages link (served immutable)
        "immutable/assets/favicon.svg",
        "immutable/assets/site-gen.css",
        "immutable/assets/site-gen.js",
        "index.html",
        "office-hours/index.html",
        "robots.txt",
        "sitemap.xml",
    ]
    locs = [
        el.text
        for el in ET.parse(out / "sitemap.xml")
        .getroot()
        .iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    ]
    assert locs == ["https://live.test.example/", "https://live.test.example/office-hours/"]
    assert "Sitemap: https://live.test.example/sitemap.xml" in (out / "robots.txt").read_text()
    html = soup(out / "office-hours/index.html")
    assert html.html["lang"] == "en"
    assert html.find("link", rel="canonical")["href"] == "https://live.test.example/office-hours/"
    assert html.find("meta", property="og:title")["content"] == "Office Hours"
    assert [unhashed(s["src"]) for s in html.find_all("script")] == ["/assets/site-gen.js"]
    assert not [s for s in html.find_all("script") if s.string]
    index = soup(out / "index.html")
    assert index.find("a", href="/office-hours/").text == "Office Hours"


def test_headers_delegate_to_the_meeting_origin_only(make_site: SiteFactory) -> None:
    text = (run(make_site()) / "_headers").read_text()
    rules = dict(line.strip().split(": ", 1) for line in text.splitlines() if line.startswith("  "))
    policy = rules["Permissions-Policy"]
    for feature in ("camera", "microphone", "fullscreen", "autoplay", "display-capture"):
        assert f'{feature}=(self "https://meet.test.example")' in policy
    csp = dict(d.strip().split(" ", 1) for d in rules["Content-Security-Policy"].split(";"))
    assert csp["frame-src"] == "https://meet.test.example"
    assert csp["script-src"] == "'self'"


def test_markdown_body_escapes_raw_html(make_site: SiteFactory) -> None:
    root = make_site(
        {
            "content/office-hours.md": """\
        ---
        title: Hi
        host: marketing
        ---
        # Agenda

        <script>alert(1)</script> [click](javascript:alert(2))

        | a | b |
        |---|---|
        | 1 | 2 |

        ```python
        print("<b>")
        ```
        """
        }
    )
    html = soup(run(root) / "office-hours/index.html")
    body = html.find(class_="page-body")
    assert body.find("script") is None
    assert "<script>alert(1)</script>" in body.text
    assert body.find("a", string="click").get("href") is None
    assert body.find("h1", id="agenda")
    assert body.find("table")
    assert body.find("code", class_="language-python").text.startswith('print("<b>")')


def test_unsafe_html_keeps_raw_html(make_site: SiteFactory) -> None:
    from tests.helpers import BASE_CONFIG

    root = make_site(
        {"content/office-hours.md": "---\ntitle: Hi\nhost: marketing\n---\n<aside>x</aside>\n"},
        config=BASE_CONFIG + "\n[markdown]\nunsafe_html = true\n",
    )
    html = soup(run(root) / "office-hours/index.html")
    assert html.find(class_="page-body").find("aside").text == "x"


def test_drafts_only_with_drafts(make_site: SiteFactory) -> None:
    root = make_site({"content/secret.md": "---\ntitle: S\nhost: marketing\ndraft: true\n---\n"})
    out = run(root)
    assert not (out / "secret").exists()
    run(root, drafts=True)
    html = soup(out / "secret/index.html")
    assert html.find(class_="badge-draft")
    assert html.find("meta", attrs={"name": "robots"})["content"] == "noindex"


def test_site_templates_override_the_theme(make_site: SiteFactory) -> None:
    root = make_site(
        {
            "templates/room.html": "{% extends 'page.html' %}{% block before_body %}"
            "<p id=custom>{{ page.title }}</p>{% endblock %}",
            "static/assets/site-gen.css": "body { color: red }",
            "static/img/logo.png": b"\x89PNG",
        }
    )
    out = run(root)
    assert soup(out / "office-hours/index.html").find(id="custom").text == "Office Hours"
    assert (out / "assets/site-gen.css").read_text() == "body { color: red }"
    assert (out / "img/logo.png").read_bytes() == b"\x89PNG"
    assert (out / "assets/site-gen.js").exists()


def test_failed_render_leaves_previous_output_untouched(make_site: SiteFactory) -> None:
    root = make_site({"content/b.md": "---\ntitle: B\nhost: marketing\n---\n"})
    out = run(root)
    before = snapshot(out)
    # The second page's template breaks mid-render: office-hours renders, b does not.
    (root / "templates").mkdir()
    (root / "templates/room.html").write_text(
        "{% extends 'page.html' %}{% block before_body %}"
        "{{ page.title if page.slug != 'b' else page.nonexistent.boom }}{% endblock %}"
    )
    with pytest.raises(BuildFailed) as caught:
        run(root)
    assert str(caught.value).startswith("templates/room.html:1: UndefinedError: ")
    assert snapshot(out) == before
    assert [p.name for p in root.iterdir() if p.name.startswith(".public")] == []


def test_invalid_content_leaves_previous_output_untouched(make_site: SiteFactory) -> None:
    root = make_site()
    out = run(root)
    before = snapshot(out)
    (root / "content/bad.md").write_text("---\ntitle: Bad\nhost: nobody\n---\n")
    with pytest.raises(ValidationFailed):
        run(root)
    assert snapshot(out) == before


def test_template_syntax_error_is_located(make_site: SiteFactory) -> None:
    root = make_site({"templates/404.html": "line one\n{% if %}\n"})
    with pytest.raises(BuildFailed) as caught:
        run(root)
    assert str(caught.value).startswith("templates/404.html:2: ")


def test_output_collision_is_an_error(make_site: SiteFactory) -> None:
    root = make_site({"static/office-hours/index.html": "<p>static</p>"})
    with pytest.raises(BuildFailed) as caught:
        run(root)
    assert "office-hours/index.html" in str(caught.value)


def test_refuses_to_replace_a_folder_that_is_not_output(make_site: SiteFactory) -> None:
    root = make_site({"public/notes.txt": "precious"})
    with pytest.raises(BuildFailed) as caught:
        run(root)
    assert "does not look like a site-gen output" in str(caught.value)
    assert (root / "public/notes.txt").read_text() == "precious"


def test_webinar_without_lock_entry_fails_clearly(make_site: SiteFactory) -> None:
    root = make_site(
        {
            "content/q1.md": """\
        ---
        title: Q1 Launch
        kind: webinar
        host: marketing
        start: 2027-03-15 16:00
        duration: 60
        ---
        """
        }
    )
    with pytest.raises(ValidationFailed) as caught:
        build(root, BuildOptions(now=NOW, environ={}, offline=True))
    assert [str(p) for p in caught.value.problems] == [
        "content/q1.md:3: webinar 'q1' has no conference in site-gen.lock: "
        "build with API access to schedule it"
    ]


def test_webinar_rendered_from_its_lock_entry(make_site: SiteFactory) -> None:
    root = make_site(
        {
            "content/q1.md": """\
            ---
            title: Q1 Launch
            kind: webinar
            host: marketing
            start: 2027-03-15 16:00
            duration: 60
            embed: {skip_join: true}
            ---
            """,
        }
    )
    pin_webinars(root)
    html = soup(run(root) / "q1/index.html")
    frame = html.find("iframe")
    assert urlsplit(frame["src"]).path == "/conf/call/987654321"
    assert query(frame["src"]) == [("skip_join", "true"), ("events", "true")]
    start = html.find("time", class_="event-start")
    assert start["datetime"] == "2027-03-15T16:00:00-04:00"
    assert start.text == "Monday, March 15, 2027, 4:00 PM"


def test_templates_speak_gettext(make_site: SiteFactory) -> None:
    """{% trans %}, _() and ngettext work in every template (English until catalogs exist)."""
    root = make_site({
        "templates/partials/page-end.html": (
            '<p id="t">{% trans %}Hello{% endtrans %} {{ _("world") }} '
            '{{ ngettext("%(num)d minute", "%(num)d minutes", 5) }}</p>\n'
        ),
    })
    build(root, BuildOptions(now=NOW, environ={}))
    found = soup(root / "public/office-hours/index.html").find(id="t")
    assert found is not None
    assert found.get_text() == "Hello world 5 minutes"
