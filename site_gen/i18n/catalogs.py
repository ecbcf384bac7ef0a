"""gettext catalogs: the theme's ``locales/LANG.po``, overridden string by string by a site's.

Catalogs are read from their ``.po`` source at build time (a few
milliseconds) instead of shipping compiled ``.mo`` files: there is no
generated file to forget to rebuild, and a site's edit to its
``locales/fr.po`` shows at the next build without a step of its own.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from babel.core import get_global
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import NullTranslations, Translations

from .languages import babel_locale

__all__ = [
    "CatalogProblem",
    "Catalogs",
    "MessageId",
    "catalog_files",
    "catalog_path",
    "extract_messages",
    "load_catalogs",
    "missing_messages",
    "read_catalog",
]

#: A message as extraction sees it: its text, or (singular, plural).
MessageId = str | tuple[str, ...]

#: How the theme's templates are searched for strings: Jinja's own Babel
#: extractor, with the i18n extension the renderer enables (babel.cfg says the same).
_EXTRACT_METHODS = [("**.html", "jinja2.ext.babel_extract"), ("**.xml", "jinja2.ext.babel_extract")]
_EXTRACT_OPTIONS = {
    "**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"},
    "**.xml": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"},
}


@dataclass(frozen=True)
class CatalogProblem(Exception):
    """A catalog that cannot be read, at its line: shown as a content problem."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.message}"
            if self.line
            else f"{self.path}: {self.message}"
        )


@dataclass
class Catalogs:
    """The translations of one language, and what they were made from."""

    language: str
    translations: NullTranslations
    #: The .po files read, most specific (the site's) first.
    files: list[Path] = field(default_factory=list)
    #: A hash of those files' bytes: part of every page's cache key.
    fingerprint: str = ""


def catalog_path(folder: Path, tag: str) -> Path:
    """Where the catalog of ``tag`` lives in a ``locales/`` folder: ``locales/pt-BR.po``."""
    return folder / f"{tag}.po"


def _candidates(tag: str) -> list[str]:
    """File names to try for ``tag``, most specific first: fr-CA, fr; zh-CN, zh-Hans; pt, pt-BR."""
    names = [tag]
    try:
        locale = babel_locale(tag)
    except ValueError:
        return names
    lang, script, territory = locale.language, locale.script, locale.territory
    if territory:
        names.append(f"{lang}-{territory}")
    if script:
        names.append(f"{lang}-{script}")
    names.append(lang)
    # A bare language means its most likely form: pt is pt-BR, zh is zh-Hans.
    likely = str(get_global("likely_subtags").get(lang, "")).split("_")
    if len(likely) == 3:
        names += [f"{lang}-{likely[1]}", f"{lang}-{likely[2]}"]
    return list(dict.fromkeys(names))


def read_catalog(path: Path, tag: str) -> Catalog:
    """One .po file, strictly: a malformed one is a CatalogProblem at its line."""
    try:
        with path.open("rb") as fp:
            return read_po(fp, locale=babel_locale(tag), abort_invalid=True)
    except PoFileError as exc:
        line = getattr(exc, "lineno", None)  # Babel counts from 0
        what = re.sub(r" on \d+$", "", str(exc)).lower()
        raise CatalogProblem(
            path,
            None if line is None else line + 1,
            f"not a valid gettext catalog: {what} (expected msgctxt, msgid, msgid_plural, "
            'msgstr, msgstr[N], a "quoted" continuation line or a # comment)',
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogProblem(path, None, f"cannot be read: {exc}") from exc


def _translations(catalog: Catalog) -> Translations:
    buffer = BytesIO()
    write_mo(buffer, catalog)  # empty and fuzzy entries are left out: the next catalog answers
    buffer.seek(0)
    return Translations(buffer)


def _files(tag: str, folders: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for folder in folders:
        for name in _candidates(tag):
            path = catalog_path(folder, name)
            if path.is_file():
                files.append(path)
                break
    return files


def catalog_files(tag: str, folders: Sequence[Path]) -> dict[Path, Catalog]:
    """The catalogs answering for ``tag``, by precedence, read (CatalogProblem if malformed)."""
    return {path: read_catalog(path, tag) for path in _files(tag, folders)}


def load_catalogs(tag: str, folders: Sequence[Path]) -> Catalogs:
    """The words of language ``tag``: each string from the first folder whose catalog has it.

    ``folders`` in order of precedence (a site's ``locales/``, then the
    theme's). Missing strings fall back to the next catalog, and in the
    end to the English of the templates themselves.
    """
    files = _files(tag, folders)
    digest = hashlib.sha256(tag.encode())
    chain: NullTranslations = NullTranslations()
    first: NullTranslations | None = None
    for path in files:
        digest.update(path.read_bytes())
        current = _translations(read_catalog(path, tag))
        if first is None:
            first = chain = current
        else:
            chain.add_fallback(current)
            chain = current
    return Catalogs(tag, first or NullTranslations(), files, digest.hexdigest())


def extract_messages(template_dirs: Iterable[Path]) -> dict[MessageId, tuple[str, int]]:
    """Every translatable string of the templates in ``template_dirs``, with where it first is."""
    from babel.messages.extract import extract_from_dir  # check only, not builds

    found: dict[MessageId, tuple[str, int]] = {}
    for folder in template_dirs:
        if not folder.is_dir():
            continue
        for filename, lineno, message, _comments, _context in extract_from_dir(
            folder, _EXTRACT_METHODS, _EXTRACT_OPTIONS
        ):
            key: MessageId = message if isinstance(message, str) else tuple(message)
            found.setdefault(key, (str(folder / filename), lineno))
    return found


def missing_messages(catalog: Catalog, wanted: Iterable[MessageId]) -> list[MessageId]:
    """The strings of ``wanted`` that ``catalog`` does not translate (fully, not fuzzy)."""
    missing = []
    for message_id in wanted:
        key = message_id if isinstance(message_id, str) else message_id[0]
        message = catalog.get(key)
        value = None if message is None else message.string
        strings = (value,) if isinstance(value, str) else tuple(value or ())
        if message is None or message.fuzzy or not strings or not all(strings):
            missing.append(message_id)
    return missing
