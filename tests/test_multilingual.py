"""Multilingual sites (issue 17, items 4-6): languages, translations, one conference each.

An en/fr/ar site is built against the sandbox over real loopback HTTP:
a translated webinar must be exactly one conference, embedded by every
translation, and its pages must link each other both ways with valid
BCP 47 tags. Bad input is reported all at once, at its file and line,
with nothing written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from babel import Locale

from site_gen.callbridge.sandbox.testing import running_sandbox
from site_gen.commands.build import BuildOptions, build
from site_gen.errors import ValidationFailed
from site_gen.paths import LOCK_FILE
from tests.helpers import BASE_CONFIG, NOW, SiteFactory, soup
from tests.helpers import SANDBOX_ADMIN_ENV as ADMIN
from tests.webinars import webinar

LANGUAGES = """
[languages.fr]
title = "Test en direct"
description = "Nos webinaires"

[languages.ar]
title = "بث مباشر"
"""


def config(api: str = "sandbox", extra: str = LANGUAGES) -> str:
    return BASE_CONFIG.replace('api = "sandbox"', f'api = "{api}"') + extra


def trilingual() -> dict[str, str | bytes]:
    """One webinar in English, French and Arabic; the French by folder, the Arabic by key."""
    return {
        "content/q1-launch.md": webinar("Q1 Launch", extra="description: Our launch.\n"),
        "content/fr/q1-launch.md": webinar("Lancement T1", extra="description: Notre lancement.\n"),
        "content/launch-ar.md": webinar(
            "إطلاق الربع الأول", extra="language: ar\ntranslation_key: q1-launch\n"
        ),
    }


@pytest.fixture
def sandbox() -> Iterator:
    with running_sandbox() as server:
        yield server


def conferences(root: Path, api: str) -> dict[str, dict]:
    data = json.loads((root / LOCK_FILE).read_text())
    return data["apis"][api]["conferences"]


def problems_of(root: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as info:
        build(root, BuildOptions(now=NOW, environ=ADMIN))
    return [str(p) for p in info.value.problems]


def test_a_translated_webinar_is_one_conference_embedded_by_every_translation(
    make_site: SiteFactory, sandbox
) -> None:
    root = make_site(trilingual(), config=config(sandbox.url))
    report = build(root, BuildOptions(now=NOW, environ=ADMIN))
    assert report.scheduled == 1
    assert len(sandbox.conferences()) == 1
    assert sandbox.conferences()[0]["subject"] == "Q1 Launch"  # the default language's
    locked = conferences(root, sandbox.url)
    assert list(locked) == ["q1-launch"]
    assert locked["q1-launch"]["translations"] == ["ar/launch-ar", "fr/q1-launch"]
    frames = {
        soup(root / f"public/{slug}/index.html").find("iframe")["src"]
        for slug in ("q1-launch", "fr/q1-launch", "ar/launch-ar")
    }
    assert len(frames) == 1
    # Editing a translation's text never reschedules.
    (root / "content/fr/q1-launch.md").write_text(
        webinar("Lancement du T1", extra="description: Autre texte.\n"), encoding="utf-8"
    )
    again = build(root, BuildOptions(now=NOW, environ=ADMIN))
    assert again.scheduled == 0
    assert len(sandbox.conferences()) == 1


def test_a_lock_from_before_translations_keeps_working(make_site: SiteFactory, sandbox) -> None:
    """Migration: an English-only site's lock, then a French translation: no new conference."""
    root = make_site(
        {"content/q1-launch.md": webinar("Q1 Launch")}, config=config(sandbox.url, extra="")
    )
    build(root, BuildOptions(now=NOW, environ=ADMIN))
    old = conferences(root, sandbox.url)
    old["q1-launch"].pop("translations")  # as a lock written before this field existed
    data = json.loads((root / LOCK_FILE).read_text())
    data["apis"][sandbox.url]["conferences"] = old
    (root / LOCK_FILE).write_text(json.dumps(data), encoding="utf-8")
    (root / "site.toml").write_text(config(sandbox.url), encoding="utf-8")
    (root / "content/fr").mkdir()
    (root / "content/fr/q1-launch.md").write_text(webinar("Lancement T1"), encoding="utf-8")
    report = build(root, BuildOptions(now=NOW, environ=ADMIN, offline=True))
    assert report.scheduled == 0
    assert len(sandbox.conferences()) == 1
    en = soup(root / "public/q1-launch/index.html").find("iframe")["src"]
    assert soup(root / "public/fr/q1-launch/index.html").find("iframe")["src"] == en
    # The next build with API access records the group in the old entry, creating nothing.
    report = build(root, BuildOptions(now=NOW, environ=ADMIN))
    assert report.scheduled == 0
    assert len(sandbox.conferences()) == 1
    assert conferences(root, sandbox.url)["q1-launch"]["translations"] == ["fr/q1-launch"]


def test_the_locks_record_of_a_group_follows_its_translations_without_rescheduling(
    make_site: SiteFactory, sandbox
) -> None:
    """A translation added later, or removed, is recorded at the next build; one conference stays.

    Even the original removed: its translation keeps the conference (found
    through the record), rather than scheduling a second one for the group.
    """
    from site_gen.commands.plan import PlanOptions, plan, plan_table

    en, fr = "content/q1-launch.md", "content/fr/q1-launch.md"
    root = make_site({en: webinar("Q1 Launch")}, config=config(sandbox.url))

    def build_once() -> dict[str, dict]:
        assert build(root, BuildOptions(now=NOW, environ=ADMIN)).scheduled == 0
        assert len(sandbox.conferences()) == 1
        return conferences(root, sandbox.url)

    assert build(root, BuildOptions(now=NOW, environ=ADMIN)).scheduled == 1
    assert conferences(root, sandbox.url)["q1-launch"]["translations"] == []
    room = soup(root / "public/q1-launch/index.html").find("iframe")["src"]
    (root / "content/fr").mkdir()
    (root / fr).write_text(webinar("Lancement T1"), encoding="utf-8")
    # Nothing to create: `site-gen plan` stays empty (its --exit-code 0).
    assert plan_table(plan(root, PlanOptions(now=NOW, environ=ADMIN))) == []
    assert build_once()["q1-launch"]["translations"] == ["fr/q1-launch"]
    (root / fr).unlink()
    assert build_once()["q1-launch"]["translations"] == []
    (root / fr).write_text(webinar("Lancement T1"), encoding="utf-8")
    build_once()
    (root / en).unlink()
    locked = build_once()
    assert list(locked) == ["q1-launch"]
    assert locked["q1-launch"]["translations"] == ["fr/q1-launch"]
    assert soup(root / "public/fr/q1-launch/index.html").find("iframe")["src"] == room


def test_translations_that_disagree_on_scheduling_name_both_files(
    make_site: SiteFactory,
) -> None:
    files = trilingual()
    files["content/fr/q1-launch.md"] = webinar("Lancement T1", start="2027-03-15 17:00")
    root = make_site(files, config=config())
    found = problems_of(root)
    assert any(
        p.startswith("content/fr/q1-launch.md:5: start") and "content/q1-launch.md:5" in p
        for p in found
    ), found
    assert not (root / "public").exists()


def test_bad_input_is_reported_all_at_once_with_file_and_line(make_site: SiteFactory) -> None:
    root = make_site(
        {
            "content/fr/a.md": webinar("A", extra="translation_key: shared\n"),
            "content/fr/b.md": webinar("B", extra="translation_key: shared\n"),
            "content/de/c.md": webinar("C"),
            "content/d.md": webinar("D", extra="language: qqq\n"),
            "content/e.md": webinar("E", extra="language: de\n"),
        },
        config=config(),
    )
    found = problems_of(root)
    text = "\n".join(found)
    assert any(p.startswith("content/fr/b.md:7: translation_key 'shared'") for p in found), text
    assert "content/fr/a.md:7" in text
    assert any(p.startswith("content/de/c.md:1:") and "[languages.de]" in p for p in found), text
    assert any(p.startswith("content/d.md:7:") and "unknown language 'qqq'" in p for p in found)
    assert any(p.startswith("content/e.md:7:") and "[languages.de]" in p for p in found), text
    assert not (root / "public").exists()


def test_an_unknown_language_section_is_an_error_at_its_line(make_site: SiteFactory) -> None:
    root = make_site(config=config(extra=LANGUAGES + '\n[languages.xx-nowhere]\ntitle = "?"\n'))
    found = problems_of(root)
    line = (root / "site.toml").read_text().splitlines().index("[languages.xx-nowhere]") + 1
    assert [p for p in found if "xx-nowhere" in p] == [
        f"site.toml:{line}: languages.xx-nowhere: unknown language 'xx-nowhere': expected a "
        "BCP 47 tag CLDR knows, such as 'en', 'fr', 'pt-BR' or 'zh-Hans'"
    ]
    assert not (root / "public").exists()


def test_a_bad_language_section_does_not_hide_the_contents_problems(
    make_site: SiteFactory,
) -> None:
    """Issue item 6, all at once: the bad section at its line, and the pages still checked.

    An unknown tag is treated as absent for the rest; a [languages.fr] with
    a mistyped key still makes content/fr/ French (no second, false error).
    """
    extra = LANGUAGES.replace('description = "Nos webinaires"', 'descripton = "Nos webinaires"')
    extra += '\n[languages.xx-nowhere]\ntitle = "?"\n\n[languages.de]\npath = "/fr/"\n'
    files = trilingual()
    files["content/fr/q1-launch.md"] = webinar("Lancement T1", start="2027-03-15 17:00")
    files["content/fr/other.md"] = webinar("Autre", extra="host: nobody\n").replace(
        "host: marketing\n", "", 1
    )
    root = make_site(files, config=config(extra=extra))
    found = problems_of(root)
    text = "\n".join(found)
    lines = (root / "site.toml").read_text().splitlines()
    tag_line = lines.index("[languages.xx-nowhere]") + 1
    key_line = lines.index('descripton = "Nos webinaires"') + 1
    assert f"site.toml:{tag_line}: languages.xx-nowhere: unknown language 'xx-nowhere'" in text
    assert f"site.toml:{key_line}: unknown key 'languages.fr.descripton'" in text
    assert "languages.de: path '/fr/' is [languages.fr]'s already" in text
    assert any(
        p.startswith("content/fr/q1-launch.md:5: start") and "content/q1-launch.md:5" in p
        for p in found
    ), text
    assert any(
        p.startswith("content/fr/other.md:") and "unknown host 'nobody'" in p for p in found
    ), text
    assert "folder content/fr/ is a language with no" not in text
    assert not (root / "public").exists()


def test_check_reports_a_bad_language_section_with_the_pages_problems(
    make_site: SiteFactory,
) -> None:
    from site_gen.commands.check import CheckOptions, check

    files = trilingual()
    files["content/fr/q1-launch.md"] = webinar("Lancement T1", start="2027-03-15 17:00")
    root = make_site(files, config=config(extra=LANGUAGES + '\n[languages.qqq]\ntitle = "?"\n'))
    errors = [str(p) for p in check(root, CheckOptions(now=NOW, environ={})).errors]
    assert any("languages.qqq: unknown language 'qqq'" in p for p in errors), errors
    assert any(p.startswith("content/fr/q1-launch.md:5: start") for p in errors), errors


def test_language_paths_and_page_languages(make_site: SiteFactory) -> None:
    from site_gen.structure.site import load_site

    extra = LANGUAGES.replace('title = "Test en direct"', 'title = "T"\npath = "/francais/"')
    root = make_site(trilingual(), config=config(extra=extra))
    site = load_site(root, {})
    by_source = {p.source: p for p in site.pages}
    assert by_source["content/fr/q1-launch.md"].path == "/francais/q1-launch/"
    assert by_source["content/fr/q1-launch.md"].language == "fr"
    assert by_source["content/launch-ar.md"].path == "/ar/launch-ar/"
    assert by_source["content/q1-launch.md"].language == "en"
    group = site.translations.of(by_source["content/fr/q1-launch.md"])
    assert [p.language for p in group] == ["en", "fr", "ar"]
    for page in group:
        Locale.parse(page.language, sep="-")  # valid BCP 47, known to CLDR


def test_translations_link_each_other_in_their_own_language(
    make_site: SiteFactory, sandbox
) -> None:
    """hreflang reciprocal and valid BCP 47; lang, dir, words, JSON-LD and .ics per page."""
    root = make_site(trilingual(), config=config(sandbox.url))
    build(root, BuildOptions(now=NOW, environ=ADMIN))
    pages = {"en": "q1-launch", "fr": "fr/q1-launch", "ar": "ar/launch-ar"}
    base = "https://live.test.example"
    links: dict[str, dict[str, str]] = {}
    for language, slug in pages.items():
        html = soup(root / f"public/{slug}/index.html")
        assert html.html["lang"] == language
        assert html.html["dir"] == ("rtl" if language == "ar" else "ltr")
        alternates = {
            link["hreflang"]: link["href"]
            for link in html.find_all("link", rel="alternate")
            if link.get("hreflang")
        }
        links[language] = alternates
        assert alternates["x-default"] == f"{base}/q1-launch/"
        for tag in alternates:
            if tag != "x-default":
                assert str(Locale.parse(tag, sep="-")) == tag.replace("-", "_")
        data = json.loads(html.find("script", type="application/ld+json").string)
        assert data["inLanguage"] == language
        switcher = html.find("nav", class_="language-switcher")
        current = switcher.find("a", attrs={"aria-current": "page"})
        assert current["href"] == f"/{slug}/" and current["lang"] == language
    # Reciprocal: every page lists every other, at the URL it is published at.
    for language, alternates in links.items():
        assert alternates[language] == f"{base}/{pages[language]}/"
        assert {k: v for k, v in alternates.items() if k != "x-default"} == {
            tag: f"{base}/{slug}/" for tag, slug in pages.items()
        }
    fr = soup(root / "public/fr/q1-launch/index.html")
    assert fr.find("nav", class_="language-switcher")["aria-label"] == "Langue"
    assert "Ajouter à l’agenda" in fr.get_text()
    assert "Add to calendar" not in fr.get_text()
    ics = (root / "public/fr/q1-launch/event.ics").read_text()
    assert "SUMMARY:Lancement T1" in ics
    assert "DESCRIPTION:Notre lancement." in ics
    # The sitemap carries the same alternates, for every translation's entry.
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    tree = ElementTree.parse(root / "public/sitemap.xml")
    entries = {
        url.findtext("s:loc", namespaces=ns): {
            link.get("hreflang"): link.get("href") for link in url.findall("x:link", ns)
        }
        for url in tree.getroot().findall("s:url", ns)
    }
    for slug in pages.values():
        assert entries[f"{base}/{slug}/"] == links["en"]
    assert entries[f"{base}/office-hours/"] == {}


def test_each_language_has_its_own_index_tags_and_calendar(make_site: SiteFactory) -> None:
    from tests.helpers import pin_webinars

    files = trilingual()
    files["content/fr/q1-launch.md"] = webinar("Lancement T1", extra="tags: [Produit]\n")
    files["content/q1-launch.md"] = webinar("Q1 Launch", extra="tags: [Product]\n")
    root = make_site(files, config=config())
    pin_webinars(root)
    build(root, BuildOptions(now=NOW, environ={}, offline=True))
    public = root / "public"
    titles = {
        home: [a.get_text(strip=True) for a in soup(public / home / "index.html").select("h3 a")]
        for home in ("", "fr", "ar")
    }
    assert "Lancement T1" in titles["fr"] and "Q1 Launch" not in titles["fr"]
    assert "Q1 Launch" in titles[""] and "Lancement T1" not in titles[""]
    assert soup(public / "fr/index.html").html["lang"] == "fr"
    assert (public / "fr/tags/produit/index.html").exists()
    assert not (public / "tags/produit").exists()
    assert (public / "tags/product/index.html").exists()
    fr_feed = (public / "fr/events.ics").read_text()
    assert "SUMMARY:Lancement T1" in fr_feed and "Q1 Launch" not in fr_feed
    assert "X-WR-CALNAME:Test en direct" in fr_feed
    feed = (public / "events.ics").read_text()
    assert "SUMMARY:Q1 Launch" in feed and "Lancement" not in feed
    fr_page = soup(public / "fr/q1-launch/index.html")
    assert fr_page.find("a", class_="site-title")["href"] == "/fr/"
