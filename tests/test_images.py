"""Responsive images: variants made with Pillow, cached by content, offered with srcset."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest
from PIL import Image, features

from site_gen.commands.build import BuildOptions, build
from site_gen.images import ImageVariants
from site_gen.paths import IMAGE_CACHE_DIR
from tests.helpers import NOW, SiteFactory, soup


def image_bytes(width: int, height: int, fmt: str = "JPEG", colour: str = "teal") -> bytes:
    out = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" else "RGB"
    Image.new(mode, (width, height), colour).save(out, fmt)
    return out.getvalue()


def page(title: str, image: str) -> str:
    return f'---\ntitle: "{title}"\nhost: marketing\nimage: {image}\n---\nText.\n'


def run(root: Path) -> Path:
    build(root, BuildOptions(now=NOW, environ={}))
    return root / "public"


def test_a_page_image_gets_variants_srcset_and_dimensions(make_site: SiteFactory) -> None:
    root = make_site(
        {"content/a.md": page("A", "/img/hero.jpg"), "static/img/hero.jpg": image_bytes(1200, 630)}
    )
    public = run(root)
    html = soup(public / "a/index.html")
    picture = html.find("picture", class_="picture")
    img = picture.find("img", class_="page-image")
    assert (img["width"], img["height"]) == ("1200", "630")
    assert "loading" not in img.attrs and img["fetchpriority"] == "high"  # the hero: LCP
    types = [s["type"] for s in picture.find_all("source")]
    assert types == (["image/avif"] if features.check("avif") else []) + ["image/webp"]
    for srcset in [img["srcset"], *(s["srcset"] for s in picture.find_all("source"))]:
        widths = [int(c.split()[1].removesuffix("w")) for c in srcset.split(", ")]
        assert widths == [480, 800, 1200]
        for candidate in srcset.split(", "):
            url = candidate.split()[0]
            assert url.startswith("/immutable/img/hero.")
            with Image.open(public / url.lstrip("/")) as variant:
                assert variant.width == int(candidate.split()[1][:-1])
                assert abs(variant.height - variant.width * 630 / 1200) <= 1
    assert img["src"].endswith("-800.jpg")
    # Link previews keep the original 1200x630 JPEG.
    og = html.find("meta", property="og:image")["content"]
    assert og == "https://live.test.example/img/hero.jpg"
    assert (public / "img/hero.jpg").read_bytes() == (root / "static/img/hero.jpg").read_bytes()


def test_never_wider_than_the_original_and_png_stays_png(make_site: SiteFactory) -> None:
    root = make_site(
        {
            "content/a.md": page("A", "/img/logo.png"),
            "static/img/logo.png": image_bytes(600, 300, "PNG"),
        }
    )
    img = soup(run(root) / "a/index.html").find("img", class_="page-image")
    assert [c.split()[1] for c in img["srcset"].split(", ")] == ["480w", "600w"]
    assert img["srcset"].split(", ")[0].split()[0].endswith("-480.png")


def test_images_without_variants_are_shown_as_they_are(make_site: SiteFactory) -> None:
    root = make_site(
        {
            "content/a.md": page("A", "/img/mark.svg"),
            "content/b.md": page("B", "/img/broken.jpg"),
            "static/img/mark.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>',
            "static/img/broken.jpg": "not a jpeg",
        }
    )
    public = run(root)
    for slug, src in (("a", "/img/mark.svg"), ("b", "/img/broken.jpg")):
        html = soup(public / f"{slug}/index.html")
        assert html.find("picture", class_="picture") is None
        assert html.find("img", class_="page-image")["src"] == src


def test_listing_cards_above_the_fold_are_eager_and_the_first_is_the_lcp(
    make_site: SiteFactory,
) -> None:
    files = {f"content/r{i}.md": page(f"Room {i}", "/img/hero.jpg") for i in range(5)}
    files["static/img/hero.jpg"] = image_bytes(1200, 630)
    html = soup(run(make_site(files, with_default_page=False)) / "index.html")
    cards = html.find_all("img", class_="card-image")
    assert len(cards) == 5
    assert [c.get("loading") for c in cards] == [None, None, None, "lazy", "lazy"]
    assert [c.get("fetchpriority") for c in cards] == ["high", None, None, None, None]
    assert all(c["width"] == "1200" and c["height"] == "630" for c in cards)


def test_an_unchanged_image_is_never_encoded_again(
    make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site(
        {"content/a.md": page("A", "/img/hero.jpg"), "static/img/hero.jpg": image_bytes(1200, 630)}
    )
    first = (run(root) / "a/index.html").read_text()
    saves: list[object] = []
    real_save = Image.Image.save

    def counted_save(self: Image.Image, *args: object, **kwargs: object) -> None:
        saves.append(args[0])
        real_save(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Image.Image, "save", counted_save)
    # A clean build (output and build cache gone), the image touched but not changed.
    for gone in [root / "public", root / ".site-gen/cache"]:
        shutil.rmtree(gone)
    (root / "static/img/hero.jpg").touch()
    assert (run(root) / "a/index.html").read_text() == first
    assert saves == []
    # A changed image: encoded again, under new names, and the page follows.
    (root / "static/img/hero.jpg").write_bytes(image_bytes(1200, 630, colour="orange"))
    second = (run(root) / "a/index.html").read_text()
    assert saves and second != first
    new = soup(root / "public/a/index.html").find("img", class_="page-image")["src"]
    assert (root / "public" / new.lstrip("/")).is_file()
    assert new not in first


def test_a_damaged_cache_entry_is_made_again(tmp_path: Path) -> None:
    source = tmp_path / "hero.jpg"
    source.write_bytes(image_bytes(900, 450))
    cache = tmp_path / IMAGE_CACHE_DIR
    made = ImageVariants(cache, lambda _: source).get("/hero.jpg")
    assert made is not None
    made.fallback.path.unlink()  # a variant gone from the cache
    again = ImageVariants(cache, lambda _: source).get("/hero.jpg")
    assert again is not None and again.fallback.path.is_file() and again.key == made.key
    (cache / made.key / "manifest.json").write_text("{not json")
    third = ImageVariants(cache, lambda _: source).get("/hero.jpg")
    assert third is not None and [v.width for v in third.sources[-1][1]] == [480, 800, 900]


def test_file_names_with_spaces_and_commas_stay_one_srcset_entry(make_site: SiteFactory) -> None:
    root = make_site(
        {
            "content/a.md": page("A", '"/img/launch day, 2027.jpg"'),
            "static/img/launch day, 2027.jpg": image_bytes(500, 250),
        }
    )
    public = run(root)
    img = soup(public / "a/index.html").find("img", class_="page-image")
    entries = img["srcset"].split(", ")
    assert len(entries) == 2
    for entry in entries:
        url, width = entry.split(" ")
        assert "%20" in url and "%2C" in url and width in ("480w", "500w")
        assert (public / unquote(url).lstrip("/")).is_file()
