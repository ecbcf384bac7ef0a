"""A branded site in Chromium, light and dark, phone and desktop: what a visitor sees.

Pages are served with the site's own Content-Security-Policy, so an inline
style or script the brand needed would fail here as it would in production.
Also makes the README's screenshots of the example site (the repository's
own site.toml, content/ and static/): SITE_GEN_UPDATE_SCREENSHOTS=1 writes
them to docs/screenshots/.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from site_gen.commands.build import BuildOptions, build
from site_gen.config.colours import contrast
from site_gen.render.headers import content_security_policy
from tests.helpers import BASE_CONFIG, NOW, StaticServer, pin_webinars, unhashed, write_tree
from tests.webinars import webinar

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]

LIGHT_ACCENT, DARK_ACCENT = "#0b5fff", "#8ab4ff"
LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 32" width="120" height="32">'
    '<rect width="120" height="32" rx="6" fill="{fill}"/></svg>'
)

CONFIG = (
    BASE_CONFIG.replace('"Test Live"', '"Brand Live"')
    + f"""
[theme]
logo = "/img/logo.svg"
logo_dark = "/img/logo-dark.svg"
accent = "{LIGHT_ACCENT}"
accent_dark = "{DARK_ACCENT}"
extra_css = ["/css/brand.css"]
nav = [
  {{label = "All events", url = "/"}},
  {{label = "Topics", url = "/tags/"}},
  {{label = "Blog", url = "https://brand.example/blog"}},
]
footer = [
  {{label = "Privacy", url = "https://brand.example/privacy"}},
  {{label = "Imprint", url = "https://brand.example/imprint"}},
]
social = [
  {{network = "linkedin", url = "https://www.linkedin.com/company/brand"}},
  {{network = "youtube", url = "https://www.youtube.com/@brand"}},
  {{network = "mastodon", url = "https://mastodon.social/@brand"}},
]
"""
)

FILES: dict[str, str | bytes] = {
    "site.toml": CONFIG,
    "content/q1.md": webinar(extra='description: "Everything new."\ntags: [Launch]\n'),
    "content/office-hours.md": "---\ntitle: Office Hours\nhost: marketing\n---\nCome in.\n",
    "static/img/logo.svg": LOGO.format(fill="#123456"),
    "static/img/logo-dark.svg": LOGO.format(fill="#fedcba"),
    "static/css/brand.css": ".site-footer { border-top-width: 4px; }\n",
}


@pytest.fixture(scope="module")
def branded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("branded")
    write_tree(root, FILES)
    pin_webinars(root)
    build(root, BuildOptions(now=NOW, environ={}))
    csp = content_security_policy("https://meet.test.example")
    server = StaticServer(root / "public", headers={"Content-Security-Policy": csp})
    yield server.start()
    server.stop()


def rgb(css: str) -> str:
    """``rgb(11, 95, 255)`` as ``#0b5fff``."""
    r, g, b = (int(v) for v in re.findall(r"\d+", css)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def style(page: Page, selector: str, prop: str) -> str:
    value: str = page.locator(selector).first.evaluate(
        f"el => getComputedStyle(el).getPropertyValue({prop!r})"
    )
    return value.strip()


def within(page: Page, selector: str, width: int) -> None:
    """Every element matched is visible and inside the viewport's width."""
    for item in page.locator(selector).all():
        expect(item).to_be_visible()
        box = item.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, selector


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_what_a_visitor_sees(browser: Browser, branded: str, scheme: str, width: int) -> None:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme,  # type: ignore[arg-type]
        timezone_id="America/Toronto", locale="en-US",
    )
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(branded + "/")
        accent = LIGHT_ACCENT if scheme == "light" else DARK_ACCENT

        # The logo, in the variant of the scheme, named by the site's title.
        logo = page.get_by_role("link", name="Brand Live").locator("img")
        expect(logo).to_be_visible()
        assert logo.evaluate("img => img.complete && img.naturalWidth > 0")
        source = logo.evaluate("img => img.currentSrc")
        path = unhashed(urlsplit(source).path)  # a content-named copy (render/assets.py)
        assert path == ("/img/logo-dark.svg" if scheme == "dark" else "/img/logo.svg")

        # Navigation, footer and social links, all on screen at either width.
        nav = page.get_by_role("navigation", name="Site")
        for label, href in (("All events", "/"), ("Topics", "/tags/"),
                            ("Blog", "https://brand.example/blog")):
            expect(nav.get_by_role("link", name=label, exact=True)).to_have_attribute("href", href)
        within(page, ".site-nav a", width)
        footer = page.get_by_role("navigation", name="Footer")
        expect(footer.get_by_role("link", name="Privacy")).to_be_visible()
        expect(footer.get_by_role("link", name="Imprint")).to_be_visible()
        social = page.get_by_role("list", name="Brand Live elsewhere")
        for name in ("LinkedIn", "YouTube", "Mastodon"):
            link = social.get_by_role("link", name=name)
            expect(link).to_be_visible()
            icon = link.locator("svg").bounding_box()
            assert icon is not None and icon["width"] >= 16 and icon["height"] >= 16, name
        within(page, ".social-links a, .footer-nav a", width)

        # The brand colour, and the text on it readable.
        assert style(page, "html", "--accent") == accent
        button = page.get_by_role("link", name="Subscribe to the calendar")
        expect(button).to_be_visible()
        background = rgb(button.evaluate("el => getComputedStyle(el).backgroundColor"))
        text = rgb(button.evaluate("el => getComputedStyle(el).color"))
        assert background == accent
        assert contrast(text, background) >= 4.5, (text, background)
        tag = page.locator(".tags a").first
        tag.hover()
        assert rgb(tag.evaluate("el => getComputedStyle(el).color")) == accent

        # The skip link (drawn on the accent) when a keyboard user arrives.
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Skip to content")
        expect(skip).to_be_focused()
        expect(skip).to_be_in_viewport()
        skip_bg = rgb(skip.evaluate("el => getComputedStyle(el).backgroundColor"))
        skip_fg = rgb(skip.evaluate("el => getComputedStyle(el).color"))
        assert skip_bg == accent and contrast(skip_fg, skip_bg) >= 4.5

        # extra_css, linked after the theme's, wins.
        assert style(page, ".site-footer", "border-top-width") == "4px"
        # Nothing wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert errors == []  # no CSP violation, no missing file
    finally:
        context.close()


def test_a_webinar_page_in_the_brand(page: Page, branded: str) -> None:
    page.goto(branded + "/q1/")
    badge = page.locator(".badge-kind")
    expect(badge).to_have_text("Webinar")
    fg = rgb(badge.evaluate("el => getComputedStyle(el).color"))
    bg = rgb(badge.evaluate("el => getComputedStyle(el).backgroundColor"))
    assert contrast(fg, bg) >= 4.5
    calendar = page.locator(".add-to-calendar summary")
    assert rgb(calendar.evaluate("el => getComputedStyle(el).backgroundColor")) == LIGHT_ACCENT
    icon = rgb(style(page, ".event-when .icon", "color"))
    assert icon == LIGHT_ACCENT
    # A link in a panel: the accent itself, readable on the panel.
    link = page.locator(".event-details-links a").first
    panel = rgb(style(page, ".event-details", "background-color"))
    assert rgb(link.evaluate("el => getComputedStyle(el).color")) == LIGHT_ACCENT
    assert contrast(LIGHT_ACCENT, panel) >= 4.5


# -- the example site's screenshots for the README -------------------------------------

#: The example webinar (content/q1-launch.md) starts 2027-04-15 16:00 in Toronto.
EXAMPLE_START = datetime(2027, 4, 15, 20, 0, tzinfo=UTC)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (and proof that it is a PNG)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The repository's example site, built as a visitor would get it."""
    root = tmp_path_factory.mktemp("example")
    shutil.copy(REPO / "site.toml", root / "site.toml")
    for part in ("content", "static"):
        shutil.copytree(REPO / part, root / part)
    build(root, BuildOptions(now=NOW, environ={}))
    server = StaticServer(root / "public")
    yield server.start()
    server.stop()


@pytest.mark.parametrize(
    ("name", "path", "viewport", "scale", "scheme"),
    [
        ("webinar-desktop", "/q1-launch/", {"width": 1280, "height": 860}, 1, "light"),
        ("webinar-phone", "/q1-launch/", {"width": 390, "height": 844}, 2, "light"),
        ("home-light", "/", {"width": 1280, "height": 860}, 1, "light"),
        ("home-dark-phone", "/", {"width": 390, "height": 844}, 2, "dark"),
    ],
)
def test_screenshot(
    browser: Browser, example: str, tmp_path: Path,
    name: str, path: str, viewport: dict[str, int], scale: int, scheme: str,
) -> None:
    update = os.environ.get("SITE_GEN_UPDATE_SCREENSHOTS") == "1"
    folder = REPO / "docs/screenshots" if update else tmp_path
    shot = folder / f"{name}.png"
    context = browser.new_context(
        viewport=viewport,  # type: ignore[arg-type]
        device_scale_factor=scale, color_scheme=scheme,  # type: ignore[arg-type]
        timezone_id="America/Toronto", locale="en-US",
    )
    try:
        page = context.new_page()
        page.clock.set_fixed_time(EXAMPLE_START - timedelta(days=3, hours=4, minutes=12, seconds=9))
        page.goto(example + path)
        logo = page.locator(".site-logo")
        expect(logo).to_be_visible()
        assert logo.evaluate("img => img.complete && img.naturalWidth > 0")
        for image in page.locator("img.page-image, img.card-image").all():
            image.scroll_into_view_if_needed()
            assert image.evaluate("img => img.complete && img.naturalWidth > 0")
        if path != "/":
            expect(page.locator(".countdown")).to_be_visible()
        page.evaluate("document.fonts.ready")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(shot), full_page=True, animations="disabled")
    finally:
        context.close()
    width, height = png_size(shot)
    assert width == viewport["width"] * scale
    assert height >= viewport["height"] * scale
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank canvas
