"""Fingerprinted assets: content-named copies, every reference rewritten, served immutable."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from bs4 import BeautifulSoup

from site_gen.commands.build import BuildOptions, build
from site_gen.preview import PreviewSite
from tests.helpers import BASE_CONFIG, NOW, SiteFactory, soup, unhashed

BRAND = (
    BASE_CONFIG
    + """
[theme]
logo = "/img/logo.svg"
extra_css = ["/css/brand.css"]
extra_js = ["/js/brand.js"]
"""
)
FILES: dict[str, str | bytes] = {
    "static/img/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>',
    "static/img/bg.png": b"\x89PNG",
    "static/css/brand.css": (
        ".a { background: url(../img/bg.png); }\n"
        ".b { background: url('/img/logo.svg#x'); }\n"
        '.c { background: url("https://cdn.example/x.png"); }\n'
        ".d { background: url(data:image/png;base64,AAAA); }\n"
    ),
    "static/js/brand.js": "console.log('brand');\n",
}


def run(root: Path) -> Path:
    build(root, BuildOptions(now=NOW, environ={}))
    return root / "public"


def linked(html: BeautifulSoup) -> list[str]:
    """Every stylesheet, script, icon and logo a page loads, in order."""
    found = [link["href"] for link in html.find_all("link", rel=["stylesheet", "icon"])]
    found += [s["src"] for s in html.find_all("script", src=True)]
    found += [img["src"] for img in html.find_all("img", class_="site-logo")]
    return found


def test_pages_link_content_named_copies(make_site: SiteFactory) -> None:
    root = make_site(FILES, config=BRAND)
    out = run(root)
    urls = linked(soup(out / "office-hours/index.html"))
    assert [unhashed(u) for u in urls] == [
        "/assets/site-gen.css",
        "/css/brand.css",
        "/assets/favicon.svg",
        "/assets/site-gen.js",
        "/js/brand.js",
        "/img/logo.svg",
    ]
    for url in urls:
        assert url.startswith("/immutable/"), url
        data = (out / url.lstrip("/")).read_bytes()
        if not url.endswith(".css") or "site-gen" in url:  # copied as they are
            assert data == (out / unhashed(url).lstrip("/")).read_bytes()
        assert url.split(".")[-2] == hashlib.sha256(data).hexdigest()[:10]


def test_urls_inside_a_copied_stylesheet_still_resolve(make_site: SiteFactory) -> None:
    out = run(make_site(FILES, config=BRAND))
    href = next(u for u in linked(soup(out / "index.html")) if "brand" in u and u.endswith(".css"))
    css = (out / href.lstrip("/")).read_text()
    logo = next(u for u in linked(soup(out / "index.html")) if "logo" in u)
    assert '.a { background: url("/img/bg.png"); }' in css  # relative: made absolute
    assert f'.b {{ background: url("{logo}#x"); }}' in css  # a fingerprinted file: its name
    assert '.c { background: url("https://cdn.example/x.png"); }' in css
    assert ".d { background: url(data:image/png;base64,AAAA); }" in css
    # The original is published as written.
    assert (out / "css/brand.css").read_text() == FILES["static/css/brand.css"]


def test_an_edited_stylesheet_gets_a_new_name_on_every_page(make_site: SiteFactory) -> None:
    """The build cache reuses unchanged pages: their key must follow the assets' names."""
    root = make_site(FILES, config=BRAND)
    out = run(root)
    before = linked(soup(out / "office-hours/index.html"))
    brand = root / "static/css/brand.css"
    brand.write_text(".a { color: red }\n")
    later = time.time() + 5  # a different mtime, even on a coarse clock
    os.utime(brand, (later, later))
    after = linked(soup(run(root) / "office-hours/index.html"))
    changed = [(b, a) for b, a in zip(before, after, strict=True) if a != b]
    assert [unhashed(a) for _, a in changed] == ["/css/brand.css"]
    assert (out / changed[0][1].lstrip("/")).read_text() == ".a { color: red }\n"
    assert not (out / changed[0][0].lstrip("/")).exists()  # the old name is gone


def test_headers_serve_the_immutable_folder_for_a_year(make_site: SiteFactory) -> None:
    headers = (run(make_site()) / "_headers").read_text()
    blocks: dict[str, list[str]] = {}
    current = ""
    for line in headers.splitlines():
        if line and not line[0].isspace():
            current = line
            blocks[current] = []
        elif line.strip():
            blocks[current].append(line.strip())
    assert blocks["/immutable/*"] == ["Cache-Control: public, max-age=31536000, immutable"]
    # Pages stay revalidated: no Cache-Control for /* (it would also apply to /immutable/*).
    assert not any(h.startswith("Cache-Control") for h in blocks["/*"])


def test_the_preview_links_the_files_by_their_own_names(make_site: SiteFactory) -> None:
    site = PreviewSite(make_site(FILES, config=BRAND), environ={}, clock=lambda: NOW)
    site.build()
    html = BeautifulSoup(site.files["office-hours/index.html"].data().decode(), "html.parser")
    assert "/assets/site-gen.css" in linked(html)
    assert not any(rel.startswith("immutable/assets/") for rel in site.files)


def test_a_build_then_a_preview_in_one_process_link_their_own_names(
    make_site: SiteFactory,
) -> None:
    """Compiled templates are shared within a process; filters must not be folded into them.

    Jinja folds ``'/assets/site-gen.css' | asset`` into a literal when it
    compiles; the build's fingerprinted name then reached the preview (and a
    second site's base URL the first's) until the filters ran per render.
    """
    root = make_site(FILES, config=BRAND)
    run(root)
    built = BeautifulSoup((root / "public/office-hours/index.html").read_text(), "html.parser")
    assert any(href.startswith("/immutable/assets/site-gen.") for href in linked(built))
    site = PreviewSite(root, environ={}, clock=lambda: NOW)
    site.build()
    html = BeautifulSoup(site.files["office-hours/index.html"].data().decode(), "html.parser")
    assert "/assets/site-gen.css" in linked(html)
