"""Turning pydantic's errors into ``file:line: message`` problems users can fix.

The models in site_toml.py and front_matter.py say *what* is valid; this module
says it in the user's words: the key as written, the line it is on, what
would be right, and a did-you-mean for near misses.
"""

from __future__ import annotations

import difflib
import types
import typing
from datetime import datetime
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from site_gen.errors import Problem

if typing.TYPE_CHECKING:
    from .parsing import KeyLines

__all__ = ["StrictModel", "did_you_mean", "problems_from", "rule", "validate"]

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


class StrictModel(BaseModel):
    """Base for user-facing models: unknown keys are errors, nothing is coerced silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


def rule(key: str, message: str) -> PydanticCustomError:
    """A model validator's error that :func:`problems_from` locates at ``key``'s line.

    ``key`` is dotted below the model (``"hosts.marketing.company"``); the
    message is shown as written, a whole sentence.
    """
    return PydanticCustomError("rule", message, {"key": key})


def validate(
    model: type[M], data: Any, *, path: str, key_lines: KeyLines
) -> tuple[M | None, list[Problem]]:
    """Validate ``data``; return the model or every problem, located."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, problems_from(exc, model, path=path, key_lines=key_lines)


def problems_from(
    exc: ValidationError, model: type[BaseModel], *, path: str, key_lines: KeyLines
) -> list[Problem]:
    """One Problem per pydantic error, with the key's line and a readable message."""
    problems = []
    for error in exc.errors(include_url=False):
        loc: Loc = tuple(error["loc"])
        ctx = error.get("ctx") or {}
        # Model validators name the key they complain about in ctx["key"].
        if "key" in ctx and isinstance(ctx["key"], str):
            loc = (*loc, *ctx["key"].split("."))
        problems.append(Problem(path, key_lines.line_of(loc), _message(error, loc, model)))
    return problems


def _message(error: Any, loc: Loc, model: type[BaseModel]) -> str:
    kind: str = error["type"]
    where = _dotted(loc)
    value = error.get("input")
    if kind == "extra_forbidden":
        known = _field_names(_annotation_at(model, loc[:-1]))
        return f"unknown key '{where}'{did_you_mean(str(loc[-1]), known)}"
    if kind == "rule":  # our own model-level rules speak in whole sentences
        return str(error["msg"])
    if kind == "missing":
        return f"missing required key '{where}'"
    if kind in ("literal_error", "enum"):
        options = _literal_options(_annotation_at(model, loc))
        listed = ", ".join(repr(o) for o in options) or error["ctx"].get("expected", "")
        hint = did_you_mean(str(value), [str(o) for o in options]) if options else ""
        return f"{where}: {value!r} is not one of {listed}{hint}"
    if kind == "string_type" and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{where}: expected text, got the number {value}: put it in quotes"
    if kind.endswith(("_type", "_parsing")):
        expected = _EXPECTED.get(kind.rsplit("_", 1)[0])
        if expected is None:
            expected = str(error["msg"]).removeprefix("Input should be ").split(",")[0]
        return f"{where}: expected {expected}, got {_describe(value)}"
    if kind in ("value_error", "assertion_error"):
        msg = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return f"{where}: {msg}" if where else msg
    msg = str(error["msg"])
    if msg.startswith("Input should be "):
        msg = "must be " + msg.removeprefix("Input should be ")
    return f"{where}: {msg}" if where else msg


_EXPECTED = {
    "bool": "true or false",
    "int": "a whole number",
    "float": "a number",
    "string": "text",
    "list": "a list",
    "dict": "a table of keys",
    "model": "a table of keys",
    "model_attributes": "a table of keys",
    "datetime": "a date and time such as 2027-01-15 16:00",
    "datetime_from_date": "a date and time such as 2027-01-15 16:00",
}


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table of keys"
    if isinstance(value, datetime):
        return f"the date {value.isoformat(sep=' ')}"
    return repr(value)


def did_you_mean(word: str, candidates: typing.Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or ``""``."""
    pool = list(candidates)
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in pool}
        if word.lower() in lowered:
            close = [lowered[word.lower()]]
    return f" (did you mean '{close[0]}'?)" if close else ""


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types inside Optional/Union/Annotated."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(annotation):
            out.extend(_unwrap(arg))
        return out
    return [annotation]


def _annotation_at(model: Any, loc: Loc) -> Any:
    """The annotation a key path points at, following models, lists and dicts."""
    current: Any = model
    for part in loc:
        found: Any = None
        for option in _unwrap(current):
            origin = typing.get_origin(option)
            if isinstance(part, str) and isinstance(option, type) and issubclass(option, BaseModel):
                field = option.model_fields.get(part)
                if field is not None:
                    found = field.annotation
            elif isinstance(part, str) and origin is dict:
                found = typing.get_args(option)[1]
            elif isinstance(part, int) and origin in (list, tuple):
                found = typing.get_args(option)[0]
            if found is not None:
                break
        if found is None:
            return None
        current = found
    return current


def _field_names(annotation: Any) -> list[str]:
    for option in _unwrap(annotation):
        if isinstance(option, type) and issubclass(option, BaseModel):
            return [f.alias or name for name, f in option.model_fields.items()]
    return []


def _literal_options(annotation: Any) -> list[Any]:
    for option in _unwrap(annotation):
        if typing.get_origin(option) is Literal:
            return list(typing.get_args(option))
    return []
