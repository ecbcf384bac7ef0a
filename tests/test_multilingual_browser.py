"""The language switcher in Chromium: a visitor changes language and stays on the same event.

An en/fr/ar site (one translated webinar, plus an untranslated room) is
built and served as a static host would; the visitor, on the French page,
picks Arabic in the switcher and lands on the Arabic page of the same
webinar, laid out right to left, then goes back to English.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, expect

from site_gen.commands.build import BuildOptions, build
from site_gen.render.headers import content_security_policy
from tests.helpers import StaticServer, pin_webinars, write_tree
from tests.test_multilingual import config, trilingual
from tests.webinars import START_UTC

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("multilingual")
    write_tree(root, {"site.toml": config(), **trilingual()})
    pin_webinars(root)
    build(root, BuildOptions(now=START_UTC - timedelta(days=10), environ={}, offline=True))
    server = StaticServer(
        root / "public",
        headers={"Content-Security-Policy": content_security_policy("https://x.test")},
    )
    yield server.start()
    server.stop()


def test_the_switcher_keeps_the_visitor_on_the_same_event(browser: Browser, base: str) -> None:
    context = browser.new_context(timezone_id="America/Toronto", locale="fr-FR")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/fr/q1-launch/")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        switcher = page.get_by_role("navigation", name="Langue")
        expect(switcher.locator("[aria-current=page]")).to_have_text("Français")
        switcher.get_by_role("link", name="العربية").click()
        page.wait_for_url(f"{base}/ar/launch-ar/")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("h1")).to_have_text("إطلاق الربع الأول")
        # Right to left for real: the switcher's first item is at the right.
        first = page.locator(".language-switcher li").first.bounding_box()
        last = page.locator(".language-switcher li").last.bounding_box()
        assert first is not None and last is not None and first["x"] > last["x"]
        page.locator(".language-switcher").get_by_role("link", name="English").click()
        page.wait_for_url(f"{base}/q1-launch/")
        expect(page.locator("h1")).to_have_text("Q1 Launch")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        assert errors == []
    finally:
        context.close()
