"""Constant messages are translated when templates compile (render/translated.py).

They must never go stale: a catalog edit shows at the next build and in
the preview, and a compiled-in message renders exactly as the gettext call
it replaces (escaping, ``%%``, autoescape on or off).
"""

from __future__ import annotations

from typing import Any

import jinja2
import pytest

from site_gen.i18n import load_catalogs, plural_samples
from site_gen.preview import PreviewSite
from site_gen.render.renderer import _gettext_callables
from site_gen.render.translated import TranslatedEnvironment
from tests.helpers import NOW, SiteFactory, soup
from tests.test_i18n import LOCALES, config
from tests.webinars import build_site, rebuild, webinar


def _po(*pairs: tuple[str, str]) -> str:
    head = 'msgid ""\nmsgstr ""\n"Language: fr\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    return head + "".join(f'\nmsgid "{k}"\nmsgstr "{v}"\n' for k, v in pairs)


def test_a_catalog_edit_changes_compiled_in_messages_at_the_next_build(
    make_site: SiteFactory,
) -> None:
    po = _po(("Join now", "Entrer"), ("Page not found", "Perdu"))
    out = build_site(
        make_site, {"content/q1.md": webinar(), "locales/fr.po": po}, config=config("fr")
    )
    assert soup(out / "q1/index.html").find("a", href="#event-stage").text == "Entrer"
    assert soup(out / "404.html").h1.text == "Perdu"

    root = out.parent
    edited = po.replace('"Entrer"', '"Entrer dans la salle"').replace('"Perdu"', '"Introuvable"')
    (root / "locales/fr.po").write_text(edited, encoding="utf-8")
    rebuild(root)  # the same process: nothing compiled for the old catalog may answer
    assert soup(out / "q1/index.html").find("a", href="#event-stage").text == (
        "Entrer dans la salle"
    )
    assert soup(out / "404.html").h1.text == "Introuvable"
    assert "Introuvable" in soup(out / "404.html").title.text

    (root / "locales/fr.po").unlink()  # back to the theme's words
    rebuild(root)
    assert soup(out / "404.html").h1.text == "Page introuvable"


def test_a_catalog_edit_shows_in_the_preview(make_site: SiteFactory) -> None:
    po = _po(("Page not found", "Perdu"))
    root = make_site(
        {"content/q1.md": webinar(), "locales/fr.po": po},
        config=config("fr"),
        with_default_page=False,
    )
    site = PreviewSite(root, environ={}, clock=lambda: NOW)
    site.build()
    assert "<h1>Perdu</h1>" in site.files["404.html"].data().decode()
    path = root / "locales/fr.po"
    path.write_text(_po(("Page not found", "Introuvable")), encoding="utf-8")
    site.update([path])
    page = site.files["404.html"].data().decode()
    assert "<h1>Introuvable</h1>" in page
    assert "Perdu" not in page


#: Every kind of call: constant (folded), with variables, plural, escaping, ``%%``.
_TEMPLATE = """\
{{ _("Page not found") }}|{{ _("A & <b>B</b>") }}|{{ _("50%% off") }}
{{ _("100%") }}
{% trans %}Register{% endtrans %}|{% trans %}50% of <i>it</i>{% endtrans %}
{% trans n=3 %}%(n)s left{% endtrans %}|{{ _("%(x)s!", x="<x>") }}|{{ _("%(x)s") }}
{{ ngettext("day", "days", 1) }}|{{ ngettext("day", "days", 5) }}
{{ ngettext("(%(num)d page)", "(%(num)d pages)", 2) }}
{% for n in [0, 1, 2] %}{{ ngettext("hour", "hours", n) }},{% endfor %}
{{ (_("A & <b>B</b>") ~ "<&>") }}|{{ [_("Register"), "x"] | join("/") }}|{{ _("Register") | upper }}
{% autoescape false %}{{ _("A & <b>B</b>") }}{% endautoescape %}
{% set label = _("Register") %}{{ label }}{{ label | length }}
<i{% for c, n in plural_samples %} data-{{ c }}="{{ ngettext('day', 'days', n) }}"{% endfor %}>
{% for category, n in plural_samples %}{{ loop.index }}{{ category }}{% endfor %}
{% for category, n in plural_samples if n %}{{ category }}{% else %}none{% endfor %}
{% for c, n in plural_samples %}{% set n = 2 %}{{ ngettext("day", "days", n) }}{% endfor %}
{% for c, n in plural_samples %}{{ _("%(x)s", x=c) }}{{ ngettext("%(num)d", "s", n) }}{% endfor %}
"""

_REBINDING = (
    '{% set _ = gettext %}{{ _("Register") }}|'
    '{% macro m(gettext) %}{{ gettext("day") }}{% endmacro %}{{ m(_) }}|'
    '{% set plural_samples = [("x", 3)] %}'
    '{% for c, n in plural_samples %}{{ c }}{{ ngettext("day", "days", n) }}{% endfor %}'
)


def _render(
    cls: type[jinja2.Environment], translations: Any, language: str, name: str, source: str
) -> str:
    options: dict[str, Any] = {
        "loader": jinja2.DictLoader({name: source}),
        "autoescape": jinja2.select_autoescape(["html", "xml"], default=True),
        "extensions": ["jinja2.ext.i18n"],
    }
    samples = plural_samples(language)
    env = (
        TranslatedEnvironment(translations, plural_samples=samples, **options)
        if cls is TranslatedEnvironment
        else cls(**options)
    )
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(_gettext_callables(translations))
    env.globals["plural_samples"] = samples
    try:
        return env.get_template(name).render()
    except (KeyError, TypeError, ValueError) as exc:  # the same failure either way
        return type(exc).__name__


@pytest.mark.parametrize("language", ["en", "fr", "pl", "ar"])
@pytest.mark.parametrize("name", ["page.html", "robots.txt"])
@pytest.mark.parametrize("source", [*_TEMPLATE.splitlines(), _TEMPLATE, _REBINDING])
def test_compiled_in_messages_render_as_the_calls_they_replace(
    language: str, name: str, source: str
) -> None:
    translations = load_catalogs(language, [LOCALES]).translations
    folded = _render(TranslatedEnvironment, translations, language, name, source)
    assert folded == _render(jinja2.Environment, translations, language, name, source)
    if "<b>B</b>" in source and name == "page.html" and folded != "ValueError":
        assert "<b>B</b>" in folded  # a message is markup: never escaped twice


def test_only_constant_messages_are_compiled_in() -> None:
    translations = load_catalogs("fr", [LOCALES]).translations
    env = TranslatedEnvironment(translations, extensions=["jinja2.ext.i18n"], autoescape=True)
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    code = env.compile(
        '{{ _("Register") }}{% trans %}Join now{% endtrans %}{{ ngettext("day", "days", 2) }}'
        '{{ _("Time zone: %(zone)s", zone=z) }}{{ ngettext("day", "days", n) }}',
        raw=True,
    )
    assert "Rejoindre" in code and "jours" in code
    assert "'Time zone: %(zone)s'" in code and "'day', 'days'" in code


def test_a_loop_over_the_plural_categories_is_unrolled_into_text() -> None:
    """The countdown's forms of "day" are the same on every page: written once, as text."""
    translations = load_catalogs("pl", [LOCALES]).translations
    env = TranslatedEnvironment(
        translations, plural_samples=plural_samples("pl"), extensions=["jinja2.ext.i18n"],
        autoescape=True,
    )
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    unrolled = env.compile(
        "<i{% for category, n in plural_samples %} data-plural-{{ category }}="
        "\"{{ ngettext('day', 'days', n) }}\"{% endfor %}>",
        raw=True,
    )
    assert "plural_samples" not in unrolled and "ngettext" not in unrolled
    assert "data-plural-few=" in unrolled and "dni" in unrolled  # Polish: 2-4 dni
    kept = env.compile(
        "{% for category, n in plural_samples %}{{ loop.index }}{{ category }}{% endfor %}",
        raw=True,
    )
    assert "plural_samples" in kept


def test_templates_hold_every_global_in_a_plain_dict(make_site: SiteFactory) -> None:
    """ThemeLoader.load hands each template a dict copy of the environment's globals.

    Jinja's ChainMap made every render and every ``{% from %}`` import walk
    the translated theme's globals in Python (a fifth of a page's render
    time); a copy is only right if the Renderer sets every global before a
    template loads, and the imported partials see them too.
    """
    from site_gen.config.site_toml import load_config
    from site_gen.render.renderer import Renderer

    root = make_site({"content/q1.md": webinar()}, config=config("fr"))
    renderer = Renderer(root, load_config(root, {}), now=NOW)
    env = renderer.env
    for name in ("webinar.html", "page.html", "index.html", "partials/listing.html"):
        template = env.get_template(name)
        assert type(template.globals) is dict, name
        assert template.globals.keys() >= env.globals.keys(), name
        assert all(template.globals[k] is v for k, v in env.globals.items()), name
    # The imported partial's own calls (_ and the url filter) answer in the page's language.
    page = env.from_string(
        '{% from "partials/listing.html" import tag_list %}'
        '{{ tag_list([{"name": "a", "path": "/tags/a/", "count": 2}]) }}'
    )
    assert 'aria-label="Mots-clés"' in page.render()
