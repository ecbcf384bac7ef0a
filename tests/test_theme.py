"""[theme] settings: validated at their line, and what they put on the page (no browser)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from site_gen.cli import main
from site_gen.commands.build import BuildOptions, build
from site_gen.commands.check import CheckOptions, check
from site_gen.config.colours import DARK, LIGHT, contrast, derive, failing_pairs
from site_gen.config.site_toml import load_config
from site_gen.errors import ValidationFailed
from site_gen.preview import PreviewSite
from site_gen.render.renderer import DEFAULT_FAVICON
from tests.helpers import BASE_CONFIG, NOW, SiteFactory, snapshot, soup, unhashed
from tests.webinars import build_site, webinar
from tests.webinars import json_ld as page_json_ld

REPO = Path(__file__).resolve().parents[1]

LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><rect width="9"/></svg>'

BRANDED = (
    BASE_CONFIG
    + """
[theme]
logo = "/img/logo.svg"
logo_dark = "img/logo-dark.svg"
favicon = "/img/icon.PNG"
accent = "#0f766e"
accent_dark = "#5eead4"
share_image = "/img/share.jpg"
extra_css = ["/css/brand.css"]
extra_js = ["/js/brand.js", "/js/more.js"]
nav = [
  {label = "Events", url = "/"},
  {label = "Blog", url = "https://acme.example/blog"},
]
footer = [{label = "Privacy", url = "/privacy/"}, {label = "Imprint", url = "https://acme.example/imprint"}]
social = [
  {network = "LinkedIn", url = "https://www.linkedin.com/company/acme"},
  {network = "Xing", url = "https://www.xing.com/pages/acme"},
]
"""
)

BRAND_FILES: dict[str, str | bytes] = {
    "static/img/logo.svg": LOGO,
    "static/img/logo-dark.svg": LOGO,
    "static/img/icon.PNG": b"\x89PNG\r\n\x1a\n",
    "static/img/share.jpg": b"\xff\xd8\xff",
    "static/css/brand.css": ".site-footer { border-top-width: 4px; }\n",
    "static/js/brand.js": "",
    "static/js/more.js": "",
    "static/privacy/index.html": "<!doctype html><title>Privacy</title>",
}


def built(make_site: SiteFactory, config: str = BRANDED, files: dict | None = None) -> Path:
    root = make_site({"site.toml": config, **BRAND_FILES, **(files or {})})
    build(root, BuildOptions(now=NOW, environ={}))
    return root / "public"


def problems(root: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        load_config(root, {})
    return [str(p) for p in caught.value.problems]


def line_of(config: str, text: str) -> int:
    return next(i for i, line in enumerate(config.splitlines(), start=1) if text in line)


# -- what reaches the page -------------------------------------------------------------


def test_branded_pages_link_the_brand_in_order(make_site: SiteFactory) -> None:
    out = built(make_site)
    html = soup(out / "office-hours/index.html")
    assert [unhashed(link["href"]) for link in html.find_all("link", rel="stylesheet")] == [
        "/assets/site-gen.css", "/assets/site-gen-theme.css", "/css/brand.css",
    ]
    scripts = html.find_all("script", src=True)
    assert [(unhashed(s["src"]), s.has_attr("defer")) for s in scripts] == [
        ("/assets/site-gen.js", True), ("/js/brand.js", True), ("/js/more.js", True),
    ]
    assert not html.find_all("script", src=False, type=lambda t: t != "application/ld+json")
    assert not html.find_all(style=True)  # style-src 'self': never inline
    assert not html.find_all("style")
    icon = html.find("link", rel="icon")
    assert (unhashed(icon["href"]), icon["type"]) == ("/img/icon.PNG", "image/png")
    # Files come through as they are.
    assert (out / "css/brand.css").read_text() == BRAND_FILES["static/css/brand.css"]


def test_the_logo_is_the_site_name_with_a_dark_variant(make_site: SiteFactory) -> None:
    html = soup(built(make_site) / "index.html")
    title = html.find("a", class_="site-title")
    assert title["href"] == "/"
    img = title.find("img")
    assert (unhashed(img["src"]), img["alt"]) == ("/img/logo.svg", "Test Live")
    source = title.find("picture").find("source")
    assert (unhashed(source["srcset"]), source["media"]) == (
        "/img/logo-dark.svg", "(prefers-color-scheme: dark)"
    )
    assert title.get_text(strip=True) == ""  # the image carries the name
    assert title.find(class_="site-mark") is None


def test_nav_footer_and_social_links(make_site: SiteFactory) -> None:
    html = soup(built(make_site) / "office-hours/index.html")
    nav = html.find("nav", class_="site-nav")
    assert [(a.text, a["href"]) for a in nav.find_all("a")] == [
        ("Events", "/"), ("Blog", "https://acme.example/blog"),
    ]
    footer = html.find("footer")
    assert [(a.text, a["href"]) for a in footer.find("nav", class_="footer-nav").find_all("a")] == [
        ("Privacy", "/privacy/"), ("Imprint", "https://acme.example/imprint"),
    ]
    social = footer.find("ul", class_="social-links")
    assert social["aria-label"] == "Test Live elsewhere"
    linkedin, xing = social.find_all("a")
    assert linkedin["href"] == "https://www.linkedin.com/company/acme"
    assert "me" in linkedin["rel"]
    assert linkedin.find("svg")["aria-hidden"] == "true"
    assert linkedin.find("svg").find("path")["d"].startswith("M0 1.146")
    assert linkedin.get_text(strip=True) == "LinkedIn"  # its accessible name
    assert xing.find("svg") is None  # no icon: the name as written
    assert xing.get_text(strip=True) == "Xing"


def test_the_generated_stylesheet_holds_both_schemes(make_site: SiteFactory) -> None:
    css = (built(make_site) / "assets/site-gen-theme.css").read_text()
    light, dark = css.split("@media (prefers-color-scheme: dark)")
    values = dict(re.findall(r"(--[a-z-]+): ([^;]+);", light))
    assert values["--accent"] == "#0f766e"
    assert values["--accent-fg"] == "#ffffff"
    assert values["--accent-hover"] == derive("#0f766e", LIGHT).accent_hover
    assert dict(re.findall(r"(--[a-z-]+): ([^;]+);", dark))["--accent"] == "#5eead4"
    assert dict(re.findall(r"(--[a-z-]+): ([^;]+);", dark))["--accent-fg"] == DARK.bg
    assert "font-family" not in css  # font = "system": the theme's own


def test_share_image_is_the_default_link_preview(make_site: SiteFactory) -> None:
    out = built(make_site, files={"content/q1.md": webinar(extra="image: /img/q1.png\n"),
                                  "static/img/q1.png": b"\x89PNG"})
    share = "https://live.test.example/img/share.jpg"
    for rel in ("office-hours/index.html", "index.html"):
        html = soup(out / rel)
        assert html.find("meta", property="og:image")["content"] == share, rel
        assert html.find("meta", attrs={"name": "twitter:card"})["content"] == (
            "summary_large_image"
        )
    own = soup(out / "q1/index.html").find("meta", property="og:image")["content"]
    assert own == "https://live.test.example/img/q1.png"  # a page's own image wins


def test_share_image_is_the_events_image_for_search_engines(make_site: SiteFactory) -> None:
    out = build_site(make_site, {"content/q1.md": webinar(), **BRAND_FILES, "site.toml": BRANDED})
    assert page_json_ld(out / "q1/index.html")["image"] == [
        "https://live.test.example/img/share.jpg"
    ]


def test_a_site_without_theme_settings_gets_the_theme_as_it_is(make_site: SiteFactory) -> None:
    root = make_site()
    build(root, BuildOptions(now=NOW, environ={}))
    out = root / "public"
    html = soup(out / "office-hours/index.html")
    assert not (out / "assets/site-gen-theme.css").exists()
    assert [unhashed(link["href"]) for link in html.find_all("link", rel="stylesheet")] == [
        "/assets/site-gen.css"
    ]
    assert unhashed(html.find("link", rel="icon")["href"]) == DEFAULT_FAVICON
    assert [a.text for a in html.find("nav", class_="site-nav").find_all("a")] == ["All events"]
    title = html.find("a", class_="site-title")
    assert title.text == "Test Live" and title.find(class_="site-mark") is not None
    assert html.find("footer").find("ul", class_="social-links") is None
    assert html.find("meta", property="og:image") is None


def test_an_empty_nav_has_no_navigation(make_site: SiteFactory) -> None:
    out = built(make_site, BASE_CONFIG + "\n[theme]\nnav = []\n")
    assert soup(out / "index.html").find("nav", class_="site-nav") is None


def test_paths_carry_the_base_urls_path(make_site: SiteFactory) -> None:
    config = BRANDED.replace("https://live.test.example", "https://acme.example/live")
    config += '\n[[theme.font_files]]\nfamily = "Brand Sans"\npath = "/fonts/brand.woff2"\n'
    config = config.replace('share_image = "/img/share.jpg"\n', 'font = "Brand Sans"\n')
    out = built(make_site, config, {"static/fonts/brand.woff2": b"wOF2"})
    html = soup(out / "index.html")
    assert unhashed(html.find("img", class_="site-logo")["src"]) == "/live/img/logo.svg"
    assert [unhashed(link["href"]) for link in html.find_all("link", rel="stylesheet")][1:] == [
        "/live/assets/site-gen-theme.css", "/live/css/brand.css",
    ]
    css = (out / "assets/site-gen-theme.css").read_text()
    font = re.search(r'src: url\("([^"]+)"\) format\("woff2"\);', css)
    assert font and unhashed(font.group(1)) == "/live/fonts/brand.woff2"
    assert (out / font.group(1).removeprefix("/live/")).read_bytes() == b"wOF2"
    assert 'font-family: "Brand Sans", system-ui,' in css


def test_fonts_self_hosted_and_system_stacks(make_site: SiteFactory) -> None:
    config = BASE_CONFIG + """
[theme]
font = "Brand"
[[theme.font_files]]
family = "Brand"
path = "/fonts/brand.woff2"
weight = "100 900"
[[theme.font_files]]
family = "Brand"
path = "fonts/brand-italic.woff"
style = "italic"
"""
    fonts = {"static/fonts/brand.woff2": b"w", "static/fonts/brand-italic.woff": b"w"}
    out = built(make_site, config, fonts)
    css = (out / "assets/site-gen-theme.css").read_text()
    faces = re.findall(r"@font-face \{(.*?)\}", css, re.S)
    assert len(faces) == 2
    assert "font-weight: 100 900;" in faces[0] and "font-style: normal;" in faces[0]
    italic = re.search(r'url\("([^"]+)"\) format\("woff"\)', faces[1])
    assert italic and unhashed(italic.group(1)) == "/fonts/brand-italic.woff"
    assert "font-weight: 400;" in faces[1] and "font-style: italic;" in faces[1]
    assert "font-display: swap;" in faces[0]
    assert "--accent" not in css  # no colour given: the theme's
    serif = built(make_site, BASE_CONFIG + '\n[theme]\nfont = "serif"\n')
    assert "font-family: Charter," in (serif / "assets/site-gen-theme.css").read_text()


def test_one_accent_makes_the_other_schemes(make_site: SiteFactory) -> None:
    out = built(make_site, BASE_CONFIG + '\n[theme]\naccent = "#0f766e"\n')
    dark = (out / "assets/site-gen-theme.css").read_text().split("prefers-color-scheme: dark")[1]
    accent = re.search(r"--accent: (#[0-9a-f]{6});", dark).group(1)
    assert accent != "#0f766e"
    assert contrast(accent, DARK.surface) >= 7
    assert failing_pairs(derive(accent, DARK)) == []


# -- listing pages complete for search engines -------------------------------------------


def test_listing_pages_get_a_description_from_the_site_and_the_listing(
    make_site: SiteFactory,
) -> None:
    out = build_site(make_site, {
        "content/q1.md": webinar(extra="tags: [Launch]\n"),
        "content/room.md": "---\ntitle: Office Hours\nhost: marketing\ntags: [Launch, Help]\n---\n",
    })

    def description(rel: str) -> str:
        html = soup(out / rel)
        text = html.find("meta", attrs={"name": "description"})["content"]
        assert html.find("meta", property="og:description")["content"] == text
        return text

    assert description("index.html") == "Events from Test Live: Q1 Launch and Office Hours."
    assert description("tags/index.html") == "Topics of the events from Test Live: Help and Launch."
    assert description("tags/help/index.html") == "Events about Help from Test Live: Office Hours."
    assert description("tags/launch/index.html") == (
        "Events about Launch from Test Live: Q1 Launch and Office Hours."
    )


def test_a_long_listing_description_is_cut_at_160_characters(make_site: SiteFactory) -> None:
    files = {f"content/r{i}.md": f"---\ntitle: Room number {i} of many\nhost: marketing\n---\n"
             for i in range(20)}
    out = build_site(make_site, files)
    text = soup(out / "index.html").find("meta", attrs={"name": "description"})["content"]
    assert text.startswith("Events from Test Live: Room number 0 of many, Room number 1")
    assert len(text) <= 161 and text.endswith("…")


def test_the_sites_own_description_wins_on_listings(make_site: SiteFactory) -> None:
    config = BASE_CONFIG.replace("[site]\n", '[site]\ndescription = "All of Acme, live."\n')
    out = build_site(make_site, {"content/q1.md": webinar(extra="tags: [Launch]\n")}, config=config)
    for rel in ("index.html", "tags/index.html"):
        assert soup(out / rel).find("meta", attrs={"name": "description"})["content"] == (
            "All of Acme, live."
        )


# -- bad input -------------------------------------------------------------------------


def test_every_theme_mistake_at_once_at_its_line_and_nothing_written(
    make_site: SiteFactory,
) -> None:
    config = BASE_CONFIG.replace("[site]\n", "[site]\ntitel = 'x'\n") + """
[theme]
logo = "/img/missing.svg"
accent = "tael"
acent_dark = "#fff"
extra_js = ["https://cdn.example.com/x.js"]
extra_css = ["/css/gone.css"]
favicon = "/img/icon.gif"
nav = [
  {label = "Home", url = "/"},
  {label = "Old blog", url = "http://blog.acme.example/"},
  {label = "Bad", url = "javascript:alert(1)"},
]
[[theme.font_files]]
family = "Brand"
path = "/fonts/none.woff2"
"""
    root = make_site()
    build(root, BuildOptions(now=NOW, environ={}))
    before = snapshot(root / "public")
    root.joinpath("site.toml").write_text(config)
    result = CliRunner().invoke(main, ["build", str(root)])
    assert result.exit_code == 1
    assert snapshot(root / "public") == before  # nothing written
    line = lambda text: line_of(config, text)  # noqa: E731
    assert result.stderr.splitlines() == [
        f"site.toml:{line('titel')}: unknown key 'site.titel' (did you mean 'title'?)",
        f"site.toml:{line('logo =')}: theme.logo: '/img/missing.svg' is not a file of the "
        "site: static/img/missing.svg does not exist",
        f"site.toml:{line('accent =')}: theme.accent: 'tael' is not a CSS colour (did you "
        "mean 'teal'?): write one such as '#0b5fff', 'rgb(11 95 255)', 'hsl(220 100% 52%)' "
        "or 'teal'",
        f"site.toml:{line('acent_dark')}: unknown key 'theme.acent_dark' (did you mean "
        "'accent_dark'?)",
        f"site.toml:{line('extra_js')}: theme.extra_js[0]: 'https://cdn.example.com/x.js' is "
        "not a file of this site: name a file under static/, such as '/js/brand.js' (pages "
        "load nothing from other sites)",
        f"site.toml:{line('extra_css')}: theme.extra_css[0]: '/css/gone.css' is not a file of "
        "the site: static/css/gone.css does not exist",
        f"site.toml:{line('favicon')}: theme.favicon: '/img/icon.gif' must be a .svg .png .ico "
        "file",
        f"site.toml:{line('Old blog')}: theme.nav[1].url: 'http://blog.acme.example/' is not "
        "allowed: use a path such as '/thanks/' or an https:// URL",
        f"site.toml:{line('javascript')}: theme.nav[2].url: 'javascript:alert(1)' is not "
        "allowed: use a path such as '/thanks/' or an https:// URL",
        f"site.toml:{line('none.woff2')}: theme.font_files[0].path: '/fonts/none.woff2' is not "
        "a file of the site: static/fonts/none.woff2 does not exist",
        "Error: 10 problems found; nothing was changed.",
    ]


def test_a_brand_colour_that_fails_contrast_names_the_pair_and_a_shade_that_passes(
    make_site: SiteFactory,
) -> None:
    config = BASE_CONFIG + '\n[theme]\naccent = "#ffd400"\naccent_dark = "rgb(15 118 110)"\n'
    found = problems(make_site({"site.toml": config}))
    light, dark = line_of(config, "accent ="), line_of(config, "accent_dark")
    assert found == [
        f"site.toml:{light}: theme.accent: on light pages, icons on the header band (#ffd400 on "
        "#fffbe6): contrast ratio 1.37:1, below WCAG AA's 3:1; the "
        "nearest shade of '#ffd400' that passes is #877000",
        f"site.toml:{light}: theme.accent: on light pages, link text on panels (#ffd400 on "
        "#f5f7fb): contrast ratio 1.33:1, below WCAG AA's 4.5:1; the nearest shade "
        "of '#ffd400' that passes is #877000",
        f"site.toml:{light}: theme.accent: on light pages, link text on the page background "
        "(#ffd400 on #ffffff): contrast ratio 1.43:1, below WCAG AA's 4.5:1; the "
        "nearest shade of '#ffd400' that passes is #877000",
        f"site.toml:{light}: theme.accent: on light pages, link text when hovered (#ffdc2e on "
        "#ffffff): contrast ratio 1.35:1, below WCAG AA's 4.5:1; the "
        "nearest shade of '#ffd400' that passes is #877000",
        f"site.toml:{dark}: theme.accent_dark: on dark pages, link text on panels (#0f766e on "
        "#141b2e): contrast ratio 3.12:1, below WCAG AA's 4.5:1; the "
        "nearest shade of 'rgb(15 118 110)' that passes is #3d908a",
        f"site.toml:{dark}: theme.accent_dark: on dark pages, link text on the page background "
        "(#0f766e on #0b1020): contrast ratio 3.45:1, below WCAG AA's "
        "4.5:1; the nearest shade of 'rgb(15 118 110)' that passes is #3d908a",
        f"site.toml:{dark}: theme.accent_dark: on dark pages, link text when hovered (#0c615a on "
        "#0b1020): contrast ratio 2.59:1, below WCAG AA's 4.5:1; the "
        "nearest shade of 'rgb(15 118 110)' that passes is #3d908a",
    ]
    # The suggested shades do pass.
    fixed = config.replace("#ffd400", "#877000").replace("rgb(15 118 110)", "#3d908a")
    assert load_config(make_site({"site.toml": fixed}), {}).theme.accent == "#877000"


def test_theme_problems_are_reported_with_other_sections_problems(
    make_site: SiteFactory,
) -> None:
    config = BASE_CONFIG.replace('api = "sandbox"', "api = 5") + '\n[theme]\naccent = "#eeeeee"\n'
    found = problems(make_site({"site.toml": config}))
    assert found[0] == f"site.toml:{line_of(config, 'api = 5')}: callbridge.api: expected text, " \
        "got the number 5: put it in quotes"
    assert any(p.startswith(f"site.toml:{line_of(config, 'accent')}: theme.accent: on light")
               for p in found)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('accent = "rgb(0 0 0 / 50%)"', "theme.accent: 'rgb(0 0 0 / 50%)' is see-through: a "
         "brand colour must be opaque, so that its contrast with the text on it can be checked"),
        ('accent = "oklch(60% 0.2 250)"', "theme.accent: 'oklch(60% 0.2 250)' is a CSS colour, "
         "but site-gen checks contrast in sRGB, where WCAG defines it: write it as hex, rgb() "
         "or hsl() (design tools show the sRGB value)"),
        ('accent = "currentColor"', "theme.accent: 'currentColor' depends on where it is used: "
         "give the brand colour itself"),
        ('logo_dark = "/img/logo.svg"', "theme.logo_dark needs theme.logo: the logo on light "
         "pages"),
        ('font = "Brnad"', "theme.font: 'Brnad' is not one of 'system', 'serif', 'mono' (a "
         "family of your own needs a [[theme.font_files]] entry with that family)"),
        ('share_image = "/img/share.svg"', "theme.share_image: '/img/share.svg' must be a .png "
         ".jpg .jpeg .webp .gif file"),
        ('logo = "../site.toml"', "theme.logo: '../site.toml' must be a file inside static/, "
         "such as '/img/logo.svg'"),
        ('footer = [{label = "Privacy", url = "privacy/"}]', "theme.footer[0].url: 'privacy/' is "
         "relative: this link is on every page, so write the path from the site's root, such "
         "as '/privacy/'"),
        ('social = [{network = "x", url = "//x.com/acme"}]', "theme.social[0].url: '//x.com/acme' "
         "is a protocol-relative URL; write 'https://...' or a path starting with '/'"),
        ('nav = [{label = "", url = "/"}]', "theme.nav[0].label: String should have at least 1 "
         "character"),
    ],
)
def test_bad_settings(make_site: SiteFactory, setting: str, message: str) -> None:
    config = f"{BASE_CONFIG}\n[theme]\n{setting}\n"
    assert problems(make_site({"site.toml": config})) == [
        f"site.toml:{line_of(config, setting)}: {message}"
    ]


def test_a_logo_linking_out_of_static_is_not_a_file_of_the_site(
    make_site: SiteFactory, tmp_path: Path
) -> None:
    outside = tmp_path / "secret.svg"
    outside.write_text(LOGO)
    root = make_site({"site.toml": BASE_CONFIG + '\n[theme]\nlogo = "/img/logo.svg"\n'})
    (root / "static/img").mkdir(parents=True)
    (root / "static/img/logo.svg").symlink_to(outside)
    assert problems(root)[0].endswith(
        "theme.logo: '/img/logo.svg' is not a file of the site: static/img/logo.svg does not exist"
    )


# -- check's warnings --------------------------------------------------------------------


def test_check_warns_about_links_to_nowhere_and_unknown_networks(make_site: SiteFactory) -> None:
    config = BASE_CONFIG + """
[theme]
nav = [{label = "Home", url = "/"}, {label = "Speakers", url = "/speakers/"}]
footer = [{label = "Privacy", url = "/privacy/"}]
social = [{network = "linkdin", url = "https://www.linkedin.com/company/acme"}]
"""
    root = make_site({"site.toml": config, "static/privacy/index.html": "<p>privacy</p>"})
    report = check(root, CheckOptions(now=NOW, environ={}))
    assert report.errors == []
    theme = [str(p) for p in report.warnings if p.path == "site.toml"]
    assert theme == [
        f"site.toml:{line_of(config, 'Speakers')}: theme.nav[1]: '/speakers/' (Speakers) points "
        "at no page or file of this site",
        f"site.toml:{line_of(config, 'linkdin')}: theme.social[0]: the theme has no icon for "
        "'linkdin' (did you mean 'linkedin'?): the link shows its name instead",
    ]


def test_a_share_image_answers_the_no_image_warning(make_site: SiteFactory) -> None:
    root = make_site(BRAND_FILES)
    messages = [p.message for p in check(root, CheckOptions(now=NOW, environ={})).warnings]
    assert any(m.startswith("no image:") for m in messages)
    (root / "site.toml").write_text(BRANDED)
    messages = [p.message for p in check(root, CheckOptions(now=NOW, environ={})).warnings]
    assert not any(m.startswith("no image:") for m in messages)


# -- the theme's own colours and icons agree with the code -------------------------------


def test_the_schemes_are_site_gen_css_colours() -> None:
    css = (REPO / "static/assets/site-gen.css").read_text()
    light_block = css[css.index(":root {") : css.index("}", css.index(":root {"))]
    dark_start = css.index(":root {", css.index("prefers-color-scheme: dark"))
    dark_block = css[dark_start : css.index("}", dark_start)]
    for scheme, block in ((LIGHT, light_block), (DARK, dark_block)):
        values = dict(re.findall(r"(--[a-z-]+): ([^;]+);", block))
        for name in ("bg", "surface", "fg", "muted"):
            assert values[f"--{name}"] == getattr(scheme, name), (scheme.name, name)


def test_the_default_theme_passes_its_own_contrast_rules() -> None:
    css = (REPO / "static/assets/site-gen.css").read_text()
    light, dark = re.findall(r"--accent: (#[0-9a-f]{6});", css)
    assert failing_pairs(derive(light, LIGHT)) == []
    assert failing_pairs(derive(dark, DARK)) == []


def test_every_known_network_has_an_icon_and_a_name() -> None:
    from site_gen.config.theme import SOCIAL_NETWORKS

    text = (REPO / "templates/partials/social.html").read_text()
    names = text[text.index("{% set _names") : text.index("} %}")]
    icons = text[text.index("{% set _icons") :]
    for network in SOCIAL_NETWORKS:
        assert f'"{network}": "' in names, network
        assert f'"{network}": ["M' in icons, network
    assert len(re.findall(r'^  "([a-z]+)": "', names, re.M)) == len(SOCIAL_NETWORKS)


# -- the colour rules themselves ----------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "hex_colour"),
    [("#0B5FFF", "#0b5fff"), ("#fff", "#ffffff"), ("teal", "#008080"),
     ("rgb(11 95 255)", "#0b5fff"), ("rgb(11, 95, 255)", "#0b5fff"),
     ("hsl(0 100% 50%)", "#ff0000"), ("hwb(0 0% 0%)", "#ff0000"),
     ("color(srgb 1 0 0)", "#ff0000"), ("rgb(300 -5 0)", "#ff0000")],
)
def test_css_colours_are_read_as_browsers_read_them(written: str, hex_colour: str) -> None:
    from site_gen.config.colours import parse_colour

    assert parse_colour(written) == hex_colour


def test_contrast_is_wcags() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1)
    # WCAG's own examples: #767676 is the lightest grey that reaches 4.5:1 on white.
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast("#777777", "#ffffff") < 4.5


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 0xFFFFFF), st.sampled_from(["light", "dark"]))
def test_every_colour_has_a_shade_that_passes_and_a_counterpart(value: int, name: str) -> None:
    from site_gen.config.colours import counterpart, nearest_passing

    scheme = LIGHT if name == "light" else DARK
    colour = f"#{value:06x}"
    shade = nearest_passing(colour, scheme)
    assert failing_pairs(derive(shade, scheme)) == []
    if not failing_pairs(derive(colour, scheme)):
        assert shade == colour  # a passing colour is kept as it is
    assert failing_pairs(derive(counterpart(colour, scheme), scheme)) == []


# -- the preview -----------------------------------------------------------------------


def test_the_preview_follows_theme_settings_and_the_files_they_name(
    make_site: SiteFactory,
) -> None:
    config = BASE_CONFIG + '\n[theme]\nlogo = "/img/logo.svg"\naccent = "#0f766e"\n'
    root = make_site({"site.toml": config})
    site = PreviewSite(root, environ={}, clock=lambda: NOW)
    site.build()
    assert site.problems == (
        f"site.toml:{line_of(config, 'logo')}: theme.logo: '/img/logo.svg' is not a file of "
        "the site: static/img/logo.svg does not exist",
    )
    logo = root / "static/img/logo.svg"
    logo.parent.mkdir(parents=True)
    logo.write_text(LOGO)
    site.update([logo])  # the missing file arrives: site.toml is checked again
    assert site.problems == ()
    assert "assets/site-gen-theme.css" in site.files
    page = soup_of(site, "office-hours/index.html")
    assert page.find("img", class_="site-logo")["src"] == "/img/logo.svg"
    logo.unlink()
    site.update([logo])
    assert len(site.problems) == 1 and "static/img/logo.svg does not exist" in site.problems[0]


def soup_of(site: PreviewSite, rel: str) -> BeautifulSoup:
    return BeautifulSoup(site.files[rel].data().decode(), "html.parser")
