"""``sandbox(SandboxOptions)``: the library call behind ``site-gen sandbox``.

Serves the simulated Callbridge (callbridge/sandbox/) on loopback until
Ctrl-C, for builds against ``http://127.0.0.1:8001`` and for trying rooms
in a browser.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from site_gen.paths import CONFIG_FILE, SANDBOX_DB

__all__ = ["SandboxOptions", "default_db", "sandbox"]


@dataclass(frozen=True)
class SandboxOptions:
    """What the command line may change about the sandbox."""

    host: str = "127.0.0.1"
    port: int = 8001
    latency_ms: float = 0.0
    fail_rate: float = 0.0
    #: SQLite file for the state; None: :func:`default_db` of the current folder;
    #: ``:memory:`` forces memory.
    db: Path | None = None
    echo: Callable[[str], None] = print


def sandbox(options: SandboxOptions | None = None) -> None:
    """Run the sandbox until interrupted."""
    from site_gen.callbridge.sandbox.server import serve  # Starlette and uvicorn: only here

    options = options or SandboxOptions()
    if options.db is None:
        db = default_db(Path.cwd())
    else:
        db = None if str(options.db) == ":memory:" else options.db
    serve(
        host=options.host, port=options.port, latency_ms=options.latency_ms,
        fail_rate=options.fail_rate, db=db, echo=options.echo,
    )


def default_db(folder: Path) -> Path | None:
    """Inside a site, the file its builds' in-process sandbox uses; elsewhere memory.

    Sharing it means the rooms of webinars a build scheduled (their one-time
    access codes) open in this server too.
    """
    if (folder / CONFIG_FILE).is_file():
        path = folder / SANDBOX_DB
        path.parent.mkdir(parents=True, exist_ok=True)
        return path
    return None
