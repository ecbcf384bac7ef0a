"""The translated theme: complete catalogs, CLDR dates, plural forms, site overrides, RTL.

Every shipped catalog must translate every string the templates extract
(the same extraction as babel.cfg), with as many plural forms as the
language has; pages take their words from the catalog and their dates
from Babel, so a French page has no English left in its theme.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel import Locale, dates, units
from babel.messages.pofile import read_po

from site_gen.commands.check import check
from site_gen.errors import ValidationFailed
from site_gen.i18n import (
    RTL_LANGUAGES,
    babel_locale,
    extract_messages,
    load_catalogs,
    missing_messages,
    plural_samples,
    read_catalog,
    text_direction,
)
from tests.helpers import BASE_CONFIG, SiteFactory, soup
from tests.webinars import build_site, webinar

REPO = Path(__file__).resolve().parents[1]
LOCALES = REPO / "locales"
#: The languages the issue asks the theme to ship, at least.
SHIPPED = ["en", "fr", "de", "es", "it", "pt-BR", "nl", "pl", "ja", "zh-Hans", "ar", "he"]


def config(language: str, extra: str = "") -> str:
    return BASE_CONFIG.replace('time_zone = "America/Toronto"\n',
                               f'time_zone = "America/Toronto"\nlanguage = "{language}"\n') + extra


def test_the_template_catalog_is_the_templates_strings() -> None:
    """locales/messages.pot is what pybabel extracts from templates/ today (re-extract if not)."""
    extracted = extract_messages([REPO / "templates"])
    with (LOCALES / "messages.pot").open("rb") as fp:
        pot = {m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(fp) if m.id}
    assert set(extracted) == pot


@pytest.mark.parametrize("language", SHIPPED)
def test_every_shipped_catalog_is_complete(language: str) -> None:
    catalog = read_catalog(LOCALES / f"{language}.po", language)
    wanted = extract_messages([REPO / "templates"])
    assert missing_messages(catalog, wanted) == []
    # Real plural forms: as many as the language has (six in Arabic, three in Polish).
    assert catalog.num_plurals == len({catalog.plural_expr} and _forms(language))
    obsolete = {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id}
    assert obsolete - set(wanted) == set(), "strings no template has any more"
    # Placeholders survive translation: a missing %(site)s would drop the site's name.
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted_names = set(re.findall(r"%\((\w+)\)s", " ".join(ids)))
        for text in strings:
            assert set(re.findall(r"%\((\w+)\)s", text)) == wanted_names, (message.id, text)
            # Markup in a msgid stays markup in its translation (links, <strong>, <code>).
            assert sorted(re.findall(r"</?(\w+)", text)) == sorted(
                re.findall(r"</?(\w+)", ids[0])
            ), (message.id, text)


def _forms(language: str) -> set[int]:
    """The plural indices the catalog's own formula gives over 0..1,000,000 (its real forms)."""
    import gettext

    catalog = read_catalog(LOCALES / f"{language}.po", language)
    formula = gettext.c2py(catalog.plural_expr)
    return {formula(n) for n in [*range(200), 1_000_000]}


def test_plural_forms_follow_each_languages_rules() -> None:
    def opens(language: str, n: int) -> str:
        translations = load_catalogs(language, [LOCALES]).translations
        return translations.ngettext(
            "The room opens right here %(num)d minute before the start.",
            "The room opens right here %(num)d minutes before the start.",
            n,
        ) % {"num": n}

    assert opens("en", 1).endswith("1 minute before the start.")
    assert opens("en", 5).endswith("5 minutes before the start.")
    # Polish: 1 minutę, 2-4 and 22-24 minuty, 5-21 and 25 minut.
    assert [opens("pl", n).split()[6] for n in (1, 2, 5, 12, 22, 25)] == [
        "minutę", "minuty", "minut", "minut", "minuty", "minut",
    ]
    # Arabic: zero, one, two, few (3-10), many (11-99), other (100+).
    assert "بدقيقة واحدة" in opens("ar", 1)
    assert "بدقيقتين" in opens("ar", 2)
    assert "5 دقائق" in opens("ar", 5)
    assert "11 دقيقة" in opens("ar", 11)
    # French counts 0 as singular.
    assert "0 minute avant" in opens("fr", 0)


def test_plural_samples_name_every_category_with_a_number_of_it() -> None:
    assert plural_samples("en") == (("one", 1), ("other", 0))
    assert dict(plural_samples("pl")) == {"one": 1, "few": 2, "many": 0}
    assert set(dict(plural_samples("ar"))) == {"zero", "one", "two", "few", "many", "other"}
    assert plural_samples("ja") == (("other", 0),)


def test_a_french_page_has_the_catalogs_words_and_babels_dates(make_site: SiteFactory) -> None:
    out = build_site(make_site, {"content/q1.md": webinar(extra="tags: [Produit]\n")},
                     config=config("fr"))
    html = soup(out / "q1/index.html")
    fr = load_catalogs("fr", [LOCALES]).translations
    assert html.html["lang"] == "fr"
    assert html.html["dir"] == "ltr"
    start = datetime(2027, 3, 15, 16, 0, tzinfo=ZoneInfo("America/Toronto"))
    locale = Locale.parse("fr")
    date, time = dates.format_date(start, "full", locale=locale), "16:00"
    assert html.find("time", class_="event-start").text == f"{date}, {time}"
    assert date == "lundi 15 mars 2027"
    assert html.find(class_="event-duration").text == "· " + units.format_unit(
        60, "duration-minute", length="long", locale=locale
    )
    zone = dates.get_timezone_name(start, "long", locale=locale)
    assert html.find(attrs={"data-zone": "event"}).text == f"Fuseau horaire : {zone}"
    for english in ("Add to calendar", "Join now", "This event has ended", "Starts in",
                    "Event details", "All events", "Download .ics"):
        translated = fr.gettext(english)
        assert translated != english
        assert html.find(string=translated) is not None, english
    assert html.find(string="Add to calendar") is None
    details = {d.dt.text: d.dd.text for d in html.find("aside", class_="event-details").dl("div")}
    assert set(details) == {"Date", "Heure", "Lieu", "Organisateur"}
    assert details["Heure"] == "de 16:00 à 17:00"
    # The countdown's units carry each plural form for site-gen.js (French: one, other).
    unit = html.find(attrs={"data-plural": True})
    assert (unit["data-plural-one"], unit["data-plural-other"]) == ("jour", "jours")
    home = soup(out / "index.html")
    assert home.find("h2", id="upcoming-heading").text == "Événements à venir"
    assert home.find("meta", attrs={"name": "description"})["content"] == (
        "Événements de Test Live : Q1 Launch."
    )
    assert soup(out / "tags/index.html").h1.text == "Thèmes"


LIVE = "---\ntitle: Keynote\nkind: livestream\nstream_of: marketing\n---\n"
ROOM = "---\ntitle: Office Hours\nhost: marketing\n---\n"


@pytest.mark.parametrize("language", ["fr", "ja", "ar"])
def test_the_room_iframes_accessible_name_is_in_the_pages_language(
    make_site: SiteFactory, language: str
) -> None:
    """Webinar, room and live stream: the iframe's title comes from the page's catalog."""
    files = {"content/q1.md": webinar(), "content/room.md": ROOM, "content/live.md": LIVE}
    out = build_site(make_site, files, config=config(language))
    catalog = load_catalogs(language, [LOCALES]).translations
    for slug, title, message in (
        ("q1", "Q1 Launch", "%(title)s: video room"),
        ("room", "Office Hours", "%(title)s: video room"),
        ("live", "Keynote", "%(title)s: live stream"),
    ):
        name = soup(out / f"{slug}/index.html").find("iframe")["title"]
        assert name == catalog.gettext(message) % {"title": title}
        assert name != message % {"title": title}, name  # not the English


def test_templates_from_before_the_translated_theme_name_the_iframe_in_the_pages_language(
    make_site: SiteFactory,
) -> None:
    """Their partials/room.html reads room.frame.title: it is translated too, not English."""
    old = REPO / "tests/data/templates-before-theme/partials/room.html"
    assert "room.frame.title" in old.read_text()
    files = {"templates/partials/room.html": old.read_text(), "content/room.md": ROOM}
    out = build_site(make_site, files, config=config("fr"))
    assert soup(out / "room/index.html").find("iframe")["title"] == "Office Hours : salle vidéo"


def test_a_site_catalog_overrides_one_string_and_keeps_the_others(
    make_site: SiteFactory,
) -> None:
    po = (
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Join now"\nmsgstr "Entrer dans la salle"\n'
    )
    out = build_site(make_site, {"content/q1.md": webinar(), "locales/fr.po": po},
                     config=config("fr"))
    html = soup(out / "q1/index.html")
    assert html.find("a", href="#event-stage").text == "Entrer dans la salle"
    assert html.find("summary").text == "Ajouter à l’agenda"  # the theme's, still


def test_a_site_adds_a_language_and_check_names_what_it_lacks(make_site: SiteFactory) -> None:
    po = (
        'msgid ""\nmsgstr ""\n"Language: sv\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "Join now"\nmsgstr "Gå med nu"\n'
    )
    root = make_site({"content/q1.md": webinar(), "locales/sv.po": po}, config=config("sv"))
    warnings = [str(p) for p in check(root).warnings if "locales" in p.path]
    assert len(warnings) == 1
    assert warnings[0].startswith("locales/sv.po: ")
    assert "string(s) of the templates have no 'sv' translation" in warnings[0]
    assert "'Join now'" not in warnings[0]
    out = build_site(make_site, {"content/q1.md": webinar(), "locales/sv.po": po},
                     config=config("sv"))
    html = soup(out / "q1/index.html")
    assert html.find("a", href="#event-stage").text == "Gå med nu"
    assert html.find("time", class_="event-start").text == "måndag 15 mars 2027 16:00"


def test_a_language_without_any_catalog_is_a_warning_at_its_line(make_site: SiteFactory) -> None:
    root = make_site(config=config("fi"))
    found = [str(p) for p in check(root).warnings if "no catalog" in p.message]
    assert found == [
        "site.toml:5: no catalog for language 'fi': pages show the theme's English words; "
        "add locales/fi.po (docs/languages.md)"
    ]


def test_a_malformed_site_catalog_is_an_error_at_its_line(make_site: SiteFactory) -> None:
    po = 'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\nmsgid "Join now"\nmsgtsr "Rejoindre"\n'
    with pytest.raises(ValidationFailed) as caught:
        build_site(make_site, {"content/q1.md": webinar(), "locales/fr.po": po},
                   config=config("fr"))
    assert str(caught.value).startswith("locales/fr.po:6: ")
    assert "not a valid gettext catalog" in str(caught.value)


def test_bad_catalogs_are_reported_with_every_other_problem_before_anything_is_built(
    make_site: SiteFactory,
) -> None:
    po = 'msgid ""\nmsgstr ""\n\nmsgid "Join now"\nmsgtsr "Rejoindre"\n'
    root = make_site({"content/q1.md": webinar(), "locales/fr.po": po, "locales/french.po": po,
                      "content/bad.md": "---\ntitle: X\nkind: nope\n---\n"})
    errors = [str(p) for p in check(root).errors]
    assert errors[0].startswith("content/bad.md:3: ")
    assert errors[1].startswith("locales/fr.po:5: not a valid gettext catalog: ")
    assert errors[2].startswith("locales/french.po: the file name is not a language: ")
    assert len(errors) == 3


def test_an_unknown_language_is_an_error_at_its_line(make_site: SiteFactory) -> None:
    root = make_site(config=config("xx-nowhere"))
    assert [str(p) for p in check(root).errors] == [
        "site.toml:5: site.language: unknown language 'xx-nowhere': expected a BCP 47 tag "
        "CLDR knows, such as 'en', 'fr', 'pt-BR' or 'zh-Hans'"
    ]


def test_right_to_left_languages() -> None:
    for tag in RTL_LANGUAGES:
        assert text_direction(tag) == "rtl", tag
    for tag in SHIPPED:
        assert (text_direction(tag) == "rtl") == (tag in RTL_LANGUAGES), tag
    assert babel_locale("zh-Hans").script == "Hans"


def test_an_arabic_page_is_right_to_left_with_arabic_words(make_site: SiteFactory) -> None:
    out = build_site(make_site, {"content/q1.md": webinar()}, config=config("ar"))
    html = soup(out / "q1/index.html")
    assert (html.html["lang"], html.html["dir"]) == ("ar", "rtl")
    assert html.find("summary").text == "أضف إلى التقويم"
    assert html.find("time", class_="event-start").text.startswith("الاثنين، 15 مارس 2027")


def test_the_theme_stylesheet_uses_logical_properties_only() -> None:
    """Physical left/right would not mirror under dir=rtl: margin-inline-start and friends do."""
    css = (REPO / "static/assets/site-gen.css").read_text()
    physical = re.findall(
        r"(?<![\w-])(?:margin|padding|border)-(?:left|right)\b|(?<![\w-])(?:left|right)\s*:"
        r"|text-align:\s*(?:left|right)|float:\s*(?:left|right)",
        css,
    )
    # The one exception: the calendar menu's chevron is drawn by two borders, then rotated.
    assert physical == ["border-right"]


def test_the_package_exports_every_catalog_name_lazily() -> None:
    """site_gen.i18n names catalogs.py's API without importing Babel's message tools.

    Its lazy list is written out (importing catalogs.py to read its __all__
    would import them): this keeps the two in step.
    """
    import site_gen.i18n as package
    from site_gen.i18n import catalogs

    values = set(catalogs.__all__) - {"MessageId"}  # a type alias, for annotations only
    assert set(package._CATALOG_NAMES) == values
    assert values <= set(package.__all__)
