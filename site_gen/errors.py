"""Errors that site-gen shows to users.

Every failure a user can cause or fix is a :class:`SiteGenError`; the CLI
prints its text (no traceback unless ``-v``) and exits with its
``exit_code``. Anything else that escapes is a bug and exits 4. The whole
tree (a test keeps it true), with the module that raises each:

    SiteGenError           exit 4 unless a subclass says otherwise
    ├── ValidationFailed   exit 1: every Problem of config, content or lock, at once
    ├── BuildFailed        exit 1: a template, a rendered file or the output folder
    ├── InitError          exit 1: commands.init: the new site's folder is not empty
    ├── SchemaWriteError   exit 1: commands.schema: the schema file cannot be written
    ├── SandboxServerError exit 1: callbridge.sandbox.server: the sandbox cannot listen
    ├── LoginTokenMissing  exit 2: commands.host_link: no host or no login key
    ├── ThemeError         exit 2: commands.theme: no site, no such theme file, a copy in the way
    ├── PortInUse          exit 2: preview.server: no free port to serve on
    ├── CredentialsMissing exit 3: scheduling.client_setup: the API needs credentials
    ├── Interrupted        exit 130: scheduling.apply: stopped before every create was made
    ├── RemoteError        its own: scheduling.detached: the scheduler process failed
    └── ApiError           exit 3: the tree in site_gen.callbridge.errors
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

__all__ = [
    "BuildFailed",
    "ExitCode",
    "Problem",
    "SiteGenError",
    "ValidationFailed",
]


class ExitCode(IntEnum):
    """Process exit codes, documented in ``site-gen --help``."""

    OK = 0
    CONTENT = 1
    USAGE = 2
    API = 3
    UNEXPECTED = 4


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the user's input, located as ``file:line``.

    ``path`` is shown as given (relative to the site root, so that the line
    is clickable in an editor and stable in CI logs); ``line`` is 1-based or
    None when the problem concerns the whole file.
    """

    path: str
    line: int | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class SiteGenError(Exception):
    """Base of every error a user can act on."""

    exit_code: int = ExitCode.UNEXPECTED


class ValidationFailed(SiteGenError):
    """Config or content is invalid; carries every problem, sorted by place."""

    exit_code = ExitCode.CONTENT

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sorted(problems, key=_problem_order)
        super().__init__("\n".join(str(p) for p in self.problems))


class BuildFailed(SiteGenError):
    """Rendering or writing the output failed; the previous output is intact."""

    exit_code = ExitCode.CONTENT


def _problem_order(p: Problem) -> tuple[str, int, str]:
    return (p.path, p.line or 0, p.message)
