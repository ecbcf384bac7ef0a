"""Parsing YAML and TOML into data *and* the line of every key.

Users fix what we report at ``file:line``, so every parser here returns a
:class:`KeyLines` map next to the data: validation errors (which only know a
key path such as ``("embed", "mute", 0)``) are turned into lines with it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

import yaml

__all__ = [
    "Document",
    "KeyLines",
    "SourceError",
    "front_matter_body",
    "parse_toml",
    "parse_yaml",
    "split_front_matter",
]

Loc = tuple[str | int, ...]

# libyaml's loader is several times faster; fall back to pure Python.
_YamlLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class KeyLines:
    """Maps a key path to the 1-based line where it is written."""

    lines: dict[Loc, int] = field(default_factory=dict)
    first_line: int = 1

    def line_of(self, loc: Loc) -> int:
        """The line of ``loc``, or of its nearest written ancestor."""
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.first_line


@dataclass(frozen=True)
class SourceError(Exception):
    """Text that cannot be parsed at all, with the line where it breaks."""

    line: int
    message: str


@dataclass
class Document:
    """A content file split into front matter data and Markdown body."""

    meta: dict[str, Any]
    key_lines: KeyLines
    body: str
    body_line: int
    format: str  # "yaml" | "toml"


def split_front_matter(text: str) -> Document:
    """Split ``---`` YAML or ``+++`` TOML front matter from the body.

    Raises SourceError for a missing or unterminated block, or data that is
    not a mapping; lines in the result are lines of the whole file.
    """
    fence, meta_text, body, end = _split_fences(text)
    if fence == "---":
        data, key_lines = parse_yaml(meta_text, line_offset=1)
        fmt = "yaml"
    else:
        data, key_lines = parse_toml(meta_text, line_offset=1)
        fmt = "toml"
    key_lines.first_line = 1
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SourceError(2, f"front matter must be a mapping of keys to values, not {_kind(data)}")
    return Document(meta=data, key_lines=key_lines, body=body, body_line=end + 3, format=fmt)


def front_matter_body(text: str) -> str:
    """The body :func:`split_front_matter` would return, without parsing the front matter."""
    return _split_fences(text)[2]


def _split_fences(text: str) -> tuple[str, str, str, int]:
    """``(fence, front matter text, body, index of the closing fence line)``."""
    if text.startswith("\ufeff"):
        text = text[1:]
    first, _, rest = text.partition("\n")
    fence = first.rstrip()
    if fence not in ("---", "+++"):
        raise SourceError(
            1,
            "no front matter: start the file with a '---' line (YAML) or a '+++' line (TOML)",
        )
    lines = rest.split("\n")
    for i, line in enumerate(lines):
        if line.rstrip() == fence:
            end = i
            break
    else:
        raise SourceError(
            1, f"front matter opened with '{fence}' on line 1 is never closed by a '{fence}' line"
        )
    return fence, "\n".join(lines[:end]), "\n".join(lines[end + 1 :]), end


def parse_yaml(text: str, *, line_offset: int = 0) -> tuple[Any, KeyLines]:
    """Parse YAML safely, recording key lines and refusing duplicate keys.

    PyYAML silently keeps the last of two equal keys; an author who wrote
    ``start`` twice deserves to hear about it.
    """
    loader = _YamlLoader(text)
    try:
        node = loader.get_single_node()
        key_lines = KeyLines(first_line=line_offset + 1)
        if node is not None:
            _walk_yaml(node, (), key_lines, line_offset)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = line_offset + (mark.line + 1 if mark else 1)
        what = exc.problem or exc.context or "invalid YAML"
        raise SourceError(line, f"invalid YAML: {what}") from None
    except yaml.YAMLError as exc:
        raise SourceError(line_offset + 1, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    return data, key_lines


def _walk_yaml(node: yaml.Node, loc: Loc, out: KeyLines, offset: int) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = offset + key_node.start_mark.line + 1
            if key in seen:
                raise yaml.MarkedYAMLError(
                    problem=f"duplicate key '{key}' (first written on line {seen[key]})",
                    problem_mark=key_node.start_mark,
                )
            seen[key] = line
            out.lines[(*loc, key)] = line
            _walk_yaml(value_node, (*loc, key), out, offset)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out.lines[(*loc, i)] = offset + item.start_mark.line + 1
            _walk_yaml(item, (*loc, i), out, offset)


_TOML_ERROR_AT = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)$")
_BARE_KEY = r"[A-Za-z0-9_-]+"
_KEY_PART = rf'(?:{_BARE_KEY}|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_TABLE = re.compile(rf"^\s*\[\[?\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_KEYVAL = re.compile(rf"^\s*({_DOTTED})\s*=")
_PART = re.compile(_KEY_PART)


def parse_toml(text: str, *, line_offset: int = 0) -> tuple[dict[str, Any], KeyLines]:
    """Parse TOML with tomllib and find each key's line by scanning the text.

    tomllib keeps no positions, so a small scanner follows table headers and
    ``key =`` lines; keys inside inline tables fall back to their parent's line.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_ERROR_AT.search(message)
        if found and found.group(1):
            line = int(found.group(1))
        else:  # "at end of document": the last line
            line = max(1, len(text.rstrip("\n").split("\n")))
        message = _TOML_ERROR_AT.sub("", message)
        raise SourceError(line_offset + line, f"invalid TOML: {message}") from None
    return data, _toml_key_lines(text, line_offset)


def _toml_key_lines(text: str, offset: int) -> KeyLines:
    out = KeyLines(first_line=offset + 1)
    table: Loc = ()
    tables_seen: dict[Loc, int] = {}
    in_multiline: str | None = None
    array: _ArrayLines | None = None
    for number, raw in enumerate(text.split("\n"), start=offset + 1):
        if in_multiline:
            if raw.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        if array is not None:
            array = array.feed(raw, number, out)
            continue
        header = _TABLE.match(raw)
        if header:
            table = _toml_path(header.group(1))
            if raw.lstrip().startswith("[["):  # an array of tables: each gets its index
                index = tables_seen.get(table, 0)
                tables_seen[table] = index + 1
                out.lines.setdefault(table, number)
                table = (*table, index)
            for depth in range(1, len(table) + 1):
                out.lines.setdefault(table[:depth], number)
            continue
        keyval = _KEYVAL.match(raw)
        if keyval:
            loc = (*table, *_toml_path(keyval.group(1)))
            out.lines.setdefault(loc, number)
            rest = raw[keyval.end() :]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_multiline = quote
            if in_multiline is None and rest.lstrip().startswith("["):
                array = _ArrayLines(loc).feed(rest, number, out)
    return out


class _ArrayLines:
    """The line of each element of an array value, for arrays written over several lines.

    ``nav = [`` then one ``{label = ..., url = ...}`` per line: an error in
    the third link points at the third line, not at ``nav``.
    """

    def __init__(self, loc: Loc) -> None:
        self.loc = loc
        self.depth = 0
        self.index = 0
        self.expect = False  # the next value starts an element

    def feed(self, line: str, number: int, out: KeyLines) -> _ArrayLines | None:
        """Read one line; None once the array is closed."""
        quote: str | None = None
        escaped = False
        for ch in line:
            if quote is not None:
                if escaped:
                    escaped = False
                elif ch == "\\" and quote == '"':
                    escaped = True
                elif ch == quote:
                    quote = None
                continue
            if ch == "#":
                break
            if ch.isspace():
                continue
            if self.depth == 1 and self.expect and ch not in ",]":
                out.lines.setdefault((*self.loc, self.index), number)
                self.expect = False
            if ch in "\"'":
                quote = ch
            elif ch in "[{":
                self.depth += 1
                if self.depth == 1:
                    self.expect = True
            elif ch in "]}":
                self.depth -= 1
                if self.depth == 0:
                    return None
            elif ch == "," and self.depth == 1:
                self.index += 1
                self.expect = True
        return self


def _toml_path(dotted: str) -> Loc:
    return tuple(part.strip("\"'") for part in _PART.findall(dotted))


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__}"
