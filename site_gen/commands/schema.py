"""``schema(output) -> str``: the library call behind ``site-gen schema``.

The JSON Schema of the front matter (config/json_schema.py), printed or
written to a file an editor reads (docs/editors.md).
"""

from __future__ import annotations

from pathlib import Path

from site_gen.config.json_schema import schema_json
from site_gen.errors import ExitCode, SiteGenError

__all__ = ["SchemaWriteError", "schema"]


class SchemaWriteError(SiteGenError):
    """The schema file cannot be written (a folder in the way, no permission)."""

    exit_code = ExitCode.CONTENT


def schema(output: Path | None = None) -> str:
    """The schema's text; also written to ``output`` when given (its folder made)."""
    text = schema_json()
    if output is not None:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise SchemaWriteError(f"cannot write {output}: {exc.strerror}") from None
    return text
