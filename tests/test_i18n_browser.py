"""The translated theme in Chromium: the script writes what the build wrote, in every language.

For each shipped language a webinar page is built and opened by a visitor
in the event's own zone: every time and zone name site-gen.js rewrites
(Intl) must read exactly as the build wrote it (Babel), so nothing changes
when the script takes over; the countdown's units follow the language's
plural rules (Intl.PluralRules picking the catalog's forms). The Arabic
page is laid out right to left; SITE_GEN_UPDATE_SCREENSHOTS=1 writes its
screenshot to docs/screenshots/ for docs/languages.md.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from site_gen.commands.build import BuildOptions, build
from site_gen.i18n import load_catalogs
from site_gen.render.headers import content_security_policy
from tests.helpers import BASE_CONFIG, StaticServer, pin_webinars, soup, write_tree
from tests.test_i18n import LOCALES, SHIPPED
from tests.webinars import START_UTC, webinar

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
#: Two days, one hour, five minutes and 22 seconds before the start: numbers that
#: fall in different plural categories in Polish (few, one, many, few) and Arabic.
BEFORE = timedelta(days=2, hours=1, minutes=5, seconds=22)
COUNTS = {"days": 2, "hours": 1, "minutes": 5, "seconds": 22}
UNITS = {"days": "day", "hours": "hour", "minutes": "minute", "seconds": "second"}


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[str, Path]]]:
    """One built site per shipped language, served: language → (base URL, public/)."""
    out: dict[str, tuple[str, Path]] = {}
    servers = []
    for language in SHIPPED:
        root = tmp_path_factory.mktemp(f"site-{language}")
        config = BASE_CONFIG.replace(
            'time_zone = "America/Toronto"\n',
            f'time_zone = "America/Toronto"\nlanguage = "{language}"\n',
        )
        # Across the spring-forward night: the details name both zones.
        night = webinar("Night", start="2027-03-14 01:30", duration=90,
                        extra="slug: night\ntags: [Nuit]\n")
        write_tree(root, {"site.toml": config, "content/q1.md": webinar(), "content/n.md": night})
        pin_webinars(root)
        build(root, BuildOptions(now=START_UTC - timedelta(days=10), environ={}))
        public = root / "public"
        server = StaticServer(
            public, headers={"Content-Security-Policy": content_security_policy("https://x.test")}
        )
        servers.append(server)
        out[language] = (server.start(), public)
    yield out
    for server in servers:
        server.stop()


@pytest.mark.parametrize("language", SHIPPED)
def test_the_script_writes_what_the_build_wrote(
    browser: Browser, sites: dict[str, tuple[str, Path]], language: str
) -> None:
    base, public = sites[language]
    context = browser.new_context(timezone_id="America/Toronto", locale="en-US")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.clock.set_fixed_time(START_UTC - BEFORE)
        for path in ("q1/index.html", "night/index.html", "index.html"):
            built = soup(public / path)
            page.goto(f"{base}/{path.removesuffix('index.html')}")
            # The script ran: it shows the visitor's-zone note and keeps the published text.
            times = page.locator("time[data-local-time]")
            expect(times.first).to_have_attribute("title", built.select("time[data-local-time]")[0]
                                                  .text)
            wrote = [t.text for t in built.select("time[data-local-time]")]
            assert wrote, path
            assert times.all_text_contents() == wrote, (language, path)
            zones = [z.text for z in built.select("[data-zone-name]")]
            assert page.locator("[data-zone-name]").all_text_contents() == zones, (language, path)
        # The countdown's words take the plural form of the number shown.
        page.goto(f"{base}/q1/")
        translations = load_catalogs(language, [LOCALES]).translations
        for part, count in COUNTS.items():
            value = page.locator(f"[data-countdown-part='{part}']")
            expect(value).to_have_text(str(count) if part == "days" else f"{count:02d}")
            unit = value.locator("xpath=following-sibling::*[@data-plural]")
            word = translations.ngettext(UNITS[part], UNITS[part] + "s", count)
            expect(unit).to_have_text(word)
        expect(page.locator("[data-zone='local']")).to_be_visible()
        assert errors == []
    finally:
        context.close()


def test_the_arabic_page_is_laid_out_right_to_left(
    browser: Browser, sites: dict[str, tuple[str, Path]], tmp_path: Path
) -> None:
    base, _public = sites["ar"]
    update = os.environ.get("SITE_GEN_UPDATE_SCREENSHOTS") == "1"
    shot = (REPO / "docs/screenshots" if update else tmp_path) / "webinar-ar.png"
    context = browser.new_context(
        viewport={"width": 1280, "height": 860}, timezone_id="America/Toronto", locale="ar"
    )
    try:
        page = context.new_page()
        page.clock.set_fixed_time(START_UTC - BEFORE)
        page.goto(f"{base}/q1/")
        assert page.evaluate("getComputedStyle(document.documentElement).direction") == "rtl"
        # The calendar icon's gap is margin-inline-end: on its left in Arabic.
        icon = page.locator(".event-when .icon")
        margins = icon.evaluate(
            "e => [getComputedStyle(e).marginLeft, getComputedStyle(e).marginRight]"
        )
        assert margins == ["5.6px", "0px"]
        # The heading starts at the right: its right edge is at its column's right edge.
        heading = page.locator(".page-heading h1").bounding_box()
        column = page.locator(".page-heading").bounding_box()
        assert heading is not None and column is not None
        assert abs((heading["x"] + heading["width"]) - (column["x"] + column["width"])) < 2
        # The menu opens under its button, aligned to the button's right edge.
        page.locator("summary", has_text="أضف إلى التقويم").click()
        menu = page.locator(".add-to-calendar .menu").bounding_box()
        button = page.locator(".add-to-calendar summary").bounding_box()
        assert menu is not None and button is not None
        assert abs((menu["x"] + menu["width"]) - (button["x"] + button["width"])) < 2
        page.keyboard.press("Escape")
        page.evaluate("document.activeElement.blur()")
        expect(page.locator(".countdown")).to_be_visible()
        page.screenshot(path=str(shot), full_page=True, animations="disabled")
    finally:
        context.close()
    assert shot.stat().st_size > 20_000
