"""Language tags (BCP 47, as in ``lang=""``) and what CLDR says about each, via Babel."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError

__all__ = ["RTL_LANGUAGES", "babel_locale", "language_problem", "plural_samples", "text_direction"]

#: Languages written right to left. CLDR's own answer (Babel's
#: ``text_direction``) decides; this list is what the docs promise, and a
#: test keeps the two in agreement.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})


@lru_cache(maxsize=64)
def babel_locale(tag: str) -> Locale:
    """Babel's locale for a BCP 47 tag (``pt-BR``, ``zh-Hans``); raises ValueError if unknown."""
    try:
        return Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(str(exc)) from exc


def language_problem(tag: str) -> str | None:
    """Why ``tag`` is not a language CLDR knows, or None when it is one.

    An unknown tag would format dates in English under a foreign ``lang``:
    better an error at the config line than a page that lies about itself.
    """
    try:
        babel_locale(tag)
    except ValueError:
        return (
            f"unknown language '{tag}': expected a BCP 47 tag CLDR knows, "
            "such as 'en', 'fr', 'pt-BR' or 'zh-Hans'"
        )
    return None


def text_direction(tag: str) -> str:
    """``"rtl"`` or ``"ltr"``: the ``dir`` of a page in ``tag``."""
    return "rtl" if babel_locale(tag).text_direction == "rtl" else "ltr"


@lru_cache(maxsize=64)
def plural_samples(tag: str) -> tuple[tuple[str, int], ...]:
    """One number for each CLDR plural category of ``tag``: ``(("one", 1), ("other", 0))``.

    Templates call ``ngettext`` once per category with its number, and
    write each form into a data attribute: site-gen.js picks the one that
    ``Intl.PluralRules`` names for the number it shows, so the script uses
    the catalog's own plural forms (three in Polish, six in Arabic).
    """
    rule = babel_locale(tag).plural_form
    samples: dict[str, int] = {}
    for n in range(1000):
        samples.setdefault(rule(n), n)
    return tuple(sorted(samples.items()))
