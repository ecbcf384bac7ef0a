"""The docs cannot drift: references match the models, links resolve, examples run."""

from __future__ import annotations

import json
import re
import shlex
import textwrap
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from site_gen.cli import main
from site_gen.config.json_schema import front_matter_schema
from site_gen.config.site_toml import SiteConfig
from site_gen.console import format_problem
from site_gen.errors import Problem

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
#: The docs this suite owns the examples of (others' pages are link-checked only).
GUIDES = ["getting-started.md", "content.md", "site-toml.md", "editors.md", "deploying.md",
          "troubleshooting.md", "theme.md", "brand-your-site.md", "languages.md"]
ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|([^|]*)\|([^|]*)\|(.*)\|\s*$")


# Reference tables -----------------------------------------------------------------


def table_rows(text: str) -> dict[str, tuple[str, str, str]]:
    """`key` → (type, default, description) for every reference table row."""
    rows: dict[str, tuple[str, str, str]] = {}
    for line in text.splitlines():
        found = ROW.match(line.replace("\\|", "¦"))
        if found:
            key = found.group(1)
            assert key not in rows, f"{key} documented twice"
            rows[key] = tuple(g.strip() for g in found.group(2, 3, 4))  # type: ignore[assignment]
    return rows


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a $ref (or a one-option anyOf/allOf around one) to the object it names."""
    for wrapper in ("anyOf", "allOf"):
        options = [o for o in node.get(wrapper, []) if o.get("type") != "null"]
        if len(options) == 1:
            node = options[0]
    if "$ref" in node:
        return dict(schema["$defs"][node["$ref"].rsplit("/", 1)[1]])
    return node


def documented_default(name: str, prop: dict[str, Any], required: list[str]) -> str:
    """How the docs write a key's default: required, —, or the value in backticks."""
    if name in required:
        return "required"
    if "default" not in prop:  # a default_factory: an empty list, or an empty table
        return "`[]`" if prop.get("type") == "array" else "—"
    value = prop["default"]
    if value is None:
        return "—"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if value == "":
        return '`""`'
    if isinstance(value, list | dict):
        return f"`{json.dumps(value)}`"
    return f"`{value}`"


def keys_of(schema: dict[str, Any], obj: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Dotted key → documented default, for an object schema and the objects inside it."""
    out: dict[str, str] = {}
    required = obj.get("required", [])
    for name, prop in obj["properties"].items():
        out[prefix + name] = documented_default(name, prop, required)
        inner = resolve(schema, prop)
        if inner.get("type") == "object" and "properties" in inner:
            out.update(keys_of(schema, inner, f"{prefix}{name}."))
        elif inner.get("type") == "array" and "$ref" in inner.get("items", {}):
            item = resolve(schema, inner["items"])
            out.update(keys_of(schema, item, f"{prefix}{name}[]."))
    return out


def test_content_reference_matches_the_schema() -> None:
    schema = front_matter_schema()
    expected = keys_of(schema, schema)
    rows = table_rows((DOCS / "content.md").read_text())
    documented = {k: v for k, v in rows.items() if k not in ("room", "webinar", "livestream",
                                                             "watch_party")}
    assert sorted(set(expected) - set(documented)) == [], "keys missing from docs/content.md"
    assert sorted(set(documented) - set(expected)) == [], "docs/content.md documents unknown keys"
    for key, default in expected.items():
        type_, doc_default, what = documented[key]
        assert doc_default == default, f"{key}: docs say {doc_default}, the model {default}"
        assert type_ and what, key


SECTIONS = re.compile(r"^## `\[([a-z_.A-Z]+)\]`\s*$", re.M)


def test_site_toml_reference_matches_the_model() -> None:
    schema = SiteConfig.model_json_schema()
    text = (DOCS / "site-toml.md").read_text()
    parts = SECTIONS.split(text)
    documented = {name: table_rows(body) for name, body in zip(parts[1::2], parts[2::2],
                                                                 strict=True)}
    expected: dict[str, dict[str, str]] = {}
    for name, prop in schema["properties"].items():
        if "patternProperties" in prop:  # [hosts.KEY], [companies.KEY]
            (table,) = prop["patternProperties"].values()
            expected[f"{name}.KEY"] = keys_of(schema, resolve(schema, table))
        else:
            expected[name] = keys_of(schema, resolve(schema, prop))
    assert sorted(documented) == sorted(expected)
    for section, keys in expected.items():
        rows = documented[section]
        assert sorted(rows) == sorted(keys), section
        for key, default in keys.items():
            doc_default = rows[key][1]
            assert doc_default == default, f"[{section}] {key}: docs {doc_default}, model {default}"


def test_example_site_toml_explains_every_key() -> None:
    text = (REPO / "site.toml").read_text()
    schema = SiteConfig.model_json_schema()
    for name, prop in schema["properties"].items():
        inner = next(iter(prop["patternProperties"].values())) if "patternProperties" in prop \
            else prop
        section = resolve(schema, inner)
        header = rf"^#? ?\[{name}(\.[a-z_]+)?\]"
        assert re.search(header, text, re.M), f"[{name}] not in site.toml"
        for key in section["properties"]:
            assert re.search(rf"^(# )?{key} = ", text, re.M), f"{name}.{key} not in site.toml"
    lines = text.splitlines()
    for i, line in enumerate(lines):  # every key set or shown has a comment on or above it
        if re.match(r"^[a-z_]+ = ", line):
            assert lines[i - 1].startswith("#") or "#" in line, f"site.toml:{i + 1} unexplained"


# Links and examples -----------------------------------------------------------------


LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize(
    "page", ["README.md", *sorted(p.relative_to(REPO).as_posix() for p in DOCS.glob("*.md"))]
)
def test_relative_links_resolve(page: str) -> None:
    file = REPO / page
    for target in LINK.findall(file.read_text()):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        path = (file.parent / target.split("#", 1)[0]).resolve()
        assert path.exists(), f"{page} links to {target}, which does not exist"


def test_readme_links_every_guide() -> None:
    readme = (REPO / "README.md").read_text()
    for guide in GUIDES:
        assert f"(docs/{guide})" in readme, guide


def code_blocks(text: str, *languages: str) -> list[str]:
    """The code blocks in these languages, dedented (blocks in list items are indented)."""
    pattern = rf"^( *)```(?:{'|'.join(languages)})\n(.*?)^ *```"
    return [
        textwrap.dedent(m.group(2)) if m.group(1) else m.group(2)
        for m in re.finditer(pattern, text, re.M | re.S)
    ]


def commands_in(text: str) -> list[list[str]]:
    """Each `site-gen …` command line in the guides' shell and YAML examples."""
    found = []
    for block in code_blocks(text, "sh", "yaml", "toml"):
        for line in block.splitlines():
            for piece in re.split(r"&&|\|\||;|\|", line.split(" #")[0]):
                words = shlex.split(piece.replace('"', " "))
                # Skip YAML's "- run:" / "command =" and VAR=value prefixes.
                while words and (words[0] in ("-", "run:", "command", "=")
                                 or re.match(r"^[A-Z_]+=", words[0])):
                    words = words[1:]
                if len(words) > 1 and words[0] == "site-gen":
                    found.append(words[1:])
    return found


@pytest.mark.parametrize("guide", GUIDES)
def test_every_command_in_the_guides_parses(guide: str) -> None:
    for args in commands_in((DOCS / guide).read_text()):
        if args[0] == "--version":
            continue
        command = main.commands.get(args[0])
        assert command is not None, f"{guide}: no command 'site-gen {args[0]}'"
        try:
            command.make_context(args[0], [a for a in args[1:] if not a.startswith(">")])
        except click.UsageError as exc:
            pytest.fail(f"{guide}: 'site-gen {' '.join(args)}': {exc}")


def test_the_ci_workflow_is_valid_yaml() -> None:
    (workflow,) = code_blocks((DOCS / "deploying.md").read_text(), "yaml")
    data = yaml.safe_load(workflow)
    assert set(data["jobs"]) == {"check", "schedule", "deploy"}
    steps = data["jobs"]["schedule"]["steps"]
    build = next(s for s in steps if s.get("run") == "site-gen build")
    assert set(build["env"]) == {"CALLBRIDGE_EMAIL", "CALLBRIDGE_PASSWORD"}
    commit = next(s for s in steps if "git add site-gen.lock" in s.get("run", ""))
    assert commit["if"] == "always()"
    assert data["jobs"]["schedule"]["permissions"] == {"contents": "write"}


def test_the_vs_code_problem_matcher_reads_check_output() -> None:
    blocks = code_blocks((DOCS / "editors.md").read_text(), "json")
    tasks = next(json.loads(b) for b in blocks if '"tasks"' in b)
    pattern = tasks["tasks"][0]["problemMatcher"]["pattern"]
    regex = re.compile(pattern["regexp"])
    error = regex.match(format_problem(Problem("content/a b.md", 7, "unknown key 'x': y")))
    assert error is not None
    assert error.group(pattern["file"]) == "content/a b.md"
    assert error.group(pattern["line"]) == "7"
    assert error.group(pattern["severity"]) is None  # the matcher's default: error
    assert error.group(pattern["message"]) == "unknown key 'x': y"
    warning = regex.match(format_problem(Problem("content/a.md", 2, "no image", "warning")))
    assert warning is not None
    assert warning.group(pattern["severity"]) == "warning"
    assert warning.group(pattern["message"]) == "no image"


def test_the_schema_settings_example_is_valid_json() -> None:
    blocks = code_blocks((DOCS / "editors.md").read_text(), "json")
    settings = next(json.loads(b) for b in blocks if "yaml.schemas" in b)
    assert list(settings["yaml.schemas"]) == ["./.vscode/site-gen.schema.json"]
