"""``site-gen schema``: a valid draft 2020-12 schema that agrees with the build's model."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from site_gen.cli import main
from site_gen.config.front_matter import FrontMatter
from site_gen.config.json_schema import DIALECT, front_matter_schema, schema_json
from site_gen.config.parsing import split_front_matter
from site_gen.structure.pages import content_files

REPO = Path(__file__).resolve().parents[1]


def validator() -> Draft202012Validator:
    return Draft202012Validator(front_matter_schema())


def as_json(value: Any) -> Any:
    """Front matter as JSON would carry it (TOML gives datetimes; editors see text)."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def test_is_a_valid_draft_2020_12_schema() -> None:
    schema = front_matter_schema()
    assert schema["$schema"] == DIALECT == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_every_key_is_described() -> None:
    schema = front_matter_schema()
    objects = [schema, *schema["$defs"].values()]
    for obj in objects:
        for name, prop in obj["properties"].items():
            assert prop.get("description"), name
    assert "``" not in json.dumps(schema)  # reST quotes turned into Markdown for editors


EXAMPLES = sorted(rel for rel, _ in content_files(REPO))


@pytest.mark.parametrize("rel", EXAMPLES)
def test_example_content_validates(rel: str) -> None:
    doc = split_front_matter((REPO / rel).read_text(encoding="utf-8"))
    errors = [e.message for e in validator().iter_errors(as_json(doc.meta))]
    assert errors == []


def test_examples_cover_yaml_and_toml() -> None:
    formats = {split_front_matter((REPO / rel).read_text()).format for rel in EXAMPLES}
    assert formats == {"yaml", "toml"}


WEBINAR = {
    "title": "Launch", "kind": "webinar", "host": "m", "start": "2027-01-15 16:00",
    "duration": 60,
}

#: (front matter, valid?) pairs: the schema and the model must agree on each.
CASES: list[tuple[dict[str, Any], bool]] = [
    ({"title": "Room", "host": "m"}, True),
    ({"title": "Room"}, False),  # a room needs a host
    ({"host": "m"}, False),  # title is required
    ({"title": "Room", "host": "m", "skipjoin": True}, False),
    ({"title": "Room", "host": "m", "kind": "webniar"}, False),
    ({"title": "Room", "host": "m", "embed": {"mute": ["camera", "mic"], "view": "gallery"}}, True),
    ({"title": "Room", "host": "m", "embed": {"mute": ["video"]}}, False),
    ({"title": "Room", "host": "m", "embed": {"res": 720, "tiles": 9}}, True),
    ({"title": "Room", "host": "m", "embed": {"res": 700}}, False),
    ({"title": "Room", "host": "m", "embed": {"tiles": 0}}, False),
    ({"title": "Room", "host": "m", "embed": {"skip_join": "maybe"}}, False),
    ({"title": "Room", "host": "m", "on_leave": {"left": "/thanks/", "kicked": "Bye."}}, True),
    ({"title": "Room", "host": "m", "on_leave": {"gone": "/"}}, False),
    ({"title": "Room", "host": "m", "tags": ["a", "b"]}, True),
    ({"title": "Room", "host": "m", "tags": "a"}, False),
    ({"title": "Room", "host": "m", "draft": True, "slug": "x/y"}, True),
    ({"title": "Room", "host": "m", "start": "2027-01-15 16:00"}, False),  # webinar key
    ({"title": "Room", "host": "m", "duration": 30}, False),
    (WEBINAR, True),
    ({**WEBINAR, "start": "2027-01-15T16:00:00", "time_zone": "UTC"}, True),
    ({**WEBINAR, "start": "2027-01-15 16:00+01:00"}, True),
    ({**WEBINAR, "start": "next tuesday"}, False),
    ({**WEBINAR, "start": "2027-01-15"}, False),  # no time of day
    ({k: v for k, v in WEBINAR.items() if k != "duration"}, False),
    ({k: v for k, v in WEBINAR.items() if k != "host"}, False),
    ({**WEBINAR, "duration": 0}, False),
    ({**WEBINAR, "auto_record": "video", "mute_mode": "q&a", "security_pin": "1234"}, True),
    ({**WEBINAR, "auto_record": "always"}, False),
    ({**WEBINAR, "security_pin": "12"}, False),
    ({**WEBINAR, "participant_emails": [{"email": "a@b.c", "moderator": True}]}, True),
    ({**WEBINAR, "participant_emails": [{"address": "a@b.c"}]}, False),
    ({**WEBINAR, "participants": [2, 3]}, True),
    ({**WEBINAR, "participants": [-1]}, False),
    ({"title": "Live", "kind": "livestream", "stream_of": "launch"}, True),
    ({"title": "Live", "kind": "livestream"}, False),
    ({"title": "Live", "kind": "livestream", "stream_of": "x", "embed": {"mute": []}}, False),
    ({"title": "Room", "host": "m", "stream_of": "x"}, False),
    ({"title": "Party", "kind": "watch_party", "host": "m", "embed": {"name": "Guest"}}, True),
]


@pytest.mark.parametrize(("data", "valid"), CASES)
def test_schema_and_model_agree(data: dict[str, Any], valid: bool) -> None:
    try:
        FrontMatter.model_validate(data)
        model_ok = True
    except ValidationError:
        model_ok = False
    assert model_ok is valid, "the case itself is wrong"
    assert validator().is_valid(data) is valid


def test_cli_prints_the_schema() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert result.stdout == schema_json()
    assert json.loads(result.stdout) == front_matter_schema()


def test_cli_writes_a_file(tmp_path: Path) -> None:
    target = tmp_path / ".vscode/site-gen.schema.json"
    result = CliRunner().invoke(main, ["schema", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == f"Wrote {target}.\n"
    assert json.loads(target.read_text()) == front_matter_schema()


def test_cli_reports_an_unwritable_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    result = CliRunner().invoke(main, ["schema", "-o", str(tmp_path / "file/schema.json")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot write {tmp_path / 'file/schema.json'}: ")
    assert "Traceback" not in result.output
