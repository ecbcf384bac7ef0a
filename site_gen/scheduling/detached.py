"""Scheduling in a process of its own, so that killing a build cannot duplicate a conference.

The Enterprise API has no way to look a conference up after the fact, and a
server goes on creating a conference after its client vanished. A build
killed (SIGKILL, a cancelled CI step) while creates are in flight would
leave conferences the lock never hears of, and the next build would create
them again. So the creates are made by a child process in a session of its
own: it outlives its parent's death, stops starting new creates when the
parent's pipe closes, finishes and records the ones in flight, and exits. A
mutex (``flock`` on ``.site-gen/scheduler.mutex``) makes the next build's
scheduler wait for an orphan to finish before it reads ``site-gen.lock``.

The parent has loaded and planned the whole site; it sends the child the
plan's actions, and the child, holding the mutex, plans again only those
(loading just the pages they name) against the lock as it is now: an
orphan of a killed build may have grown it meanwhile.

What this cannot survive is the machine (or its container) dying with the
requests in flight; the closing of the window between the API's answer and
the lock's rename (about a millisecond) is then all that is left.

Parent and child speak JSON lines: the parent sends one request line and
keeps stdin open; the child answers with progress lines and one result
line. Credentials travel in the child's environment, never in the pipe.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from site_gen.config.site_toml import load_config
from site_gen.errors import ExitCode, Problem, SiteGenError, ValidationFailed
from site_gen.paths import LOCK_FILE, SCHEDULER_MUTEX
from site_gen.structure.languages import place_pages
from site_gen.structure.lock import Lock
from site_gen.structure.pages import Page, load_page
from site_gen.structure.site import Site

from .plan import Plan, make_plan

__all__ = ["RemoteError", "schedule"]

log = logging.getLogger(__name__)


class RemoteError(SiteGenError):
    """An error the scheduler process reported, with its message and exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def schedule(
    root: Path,
    plan: Plan,
    *,
    environ: Mapping[str, str],
    concurrency: int,
    now: datetime,
    on_progress: Callable[[Any], None] | None = None,
) -> int:
    """Make ``plan``'s creates in a child process; return how many were made.

    The lock's records of translation groups that changed (``plan.relinks``)
    are written here first: no API call, so no child process for them.
    """
    if plan.relinks:
        with holding_mutex(root):
            lock = Lock.load(root / LOCK_FILE)
            if lock.record_translations(plan.api, plan.relinks):
                lock.save()
    if not plan.actions:
        return 0
    from .apply import Interrupted, Progress  # the API client: the child's, not the build's

    # The child reads credentials from its environment only; CALLBRIDGE_*
    # of this process are replaced by the ones the caller chose.
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLBRIDGE_")}
    env.update(environ)
    request = {
        "root": str(root.absolute()),
        # A webinar's translations ride along: the lock records the group.
        "actions": [[a.kind, a.key, a.source, *a.translations] for a in plan.actions],
        "reschedule": any(a.replaces is not None for a in plan.actions),
        "concurrency": concurrency,
        "now": now.isoformat(),
        "verbose": log.isEnabledFor(logging.INFO),
    }
    result: dict[str, Any] | None = None
    with subprocess.Popen(
        [sys.executable, "-m", __name__],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
        start_new_session=True,  # not in our process group: a kill of the build spares it
    ) as child:
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(json.dumps(request) + "\n")
        child.stdin.flush()
        try:
            for line in child.stdout:
                message = json.loads(line)
                if "progress" in message:
                    if on_progress is not None:
                        on_progress(Progress(**message["progress"]))
                else:
                    result = message
        except KeyboardInterrupt:
            # Ctrl-C: the child starts nothing new and records what is in flight.
            with contextlib.suppress(OSError):
                child.stdin.close()
            log.warning("interrupted: waiting for the requests in flight to be recorded")
            child.wait()
            raise
        finally:
            # Closing stdin is the child's signal to start nothing new (an
            # exception in on_progress, say); it then finishes and exits.
            with contextlib.suppress(OSError):
                child.stdin.close()
    if result is None:
        raise RemoteError(
            f"the scheduler process ended without an answer (exit status {child.returncode})",
            ExitCode.UNEXPECTED,
        )
    if "error" not in result:
        return int(result["done"])
    error = result["error"]
    if error.get("problems") is not None:
        raise ValidationFailed(Problem(**p) for p in error["problems"])
    if error["exit_code"] == Interrupted.exit_code:
        raise Interrupted(error["message"])
    raise RemoteError(error["message"], error["exit_code"])


@contextlib.contextmanager
def holding_mutex(root: Path) -> Iterator[None]:
    """Exclusive use of the site's lock file for the duration of the block."""
    path = root / SCHEDULER_MUTEX
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("waiting for an earlier build's requests to be recorded")
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _child(request: dict[str, Any], stdin: IO[str], emit: Callable[[dict[str, Any]], None]) -> int:
    """Plan the parent's actions again, against the lock as it is now, and apply them."""
    from .apply import Progress, run_plan  # see schedule(): only the child imports the client

    root = Path(request["root"])
    parent_gone = threading.Event()

    def watch_parent() -> None:
        # EOF on stdin: the parent closed it (Ctrl-C) or died (SIGKILL).
        for _ in stdin:
            pass
        parent_gone.set()

    threading.Thread(target=watch_parent, daemon=True).start()

    def progress(p: Progress) -> None:
        emit({"progress": asdict(p)})

    with holding_mutex(root):
        site, lock, plan = _replan(
            root, request["actions"], reschedule=request["reschedule"],
            now=datetime.fromisoformat(request["now"]),
        )
        if not plan.actions:  # the parent wrote the records (relinks): nothing left
            return 0
        return run_plan(
            plan, site, lock, environ=os.environ, concurrency=request["concurrency"],
            on_progress=progress, stop=parent_gone.is_set,
        )


def _replan(
    root: Path, actions: list[list[str]], *, reschedule: bool, now: datetime
) -> tuple[Site, Lock, Plan]:
    """The parent's plan, made again from the files and the lock as they are now.

    Only the pages the actions name are read: the parent validated the whole
    site moments ago, and loading it again would double the cost of a build
    that schedules one webinar of thousands.
    """
    config = load_config(root, os.environ)
    pages: list[Page] = []
    problems: list[Problem] = []
    for kind, _key, *sources in actions:
        if kind != "conference":
            continue
        for source in sources:
            page, found = load_page(root, source)
            problems.extend(found)
            if page is not None:
                pages.append(page)
    pages, placing = place_pages(pages, config)  # its slug may be under its language's path
    problems.extend(placing)
    if problems:
        raise ValidationFailed(problems)
    site = Site(root=root, config=config, pages=tuple(pages))
    lock = Lock.load(root / LOCK_FILE)
    plan = make_plan(site, pages, lock.peek(config.callbridge.api), now=now, reschedule=reschedule)
    return site, lock, plan


def main() -> None:
    """Entry point of the child process (``python -m site_gen.scheduling.detached``)."""
    stdout = sys.stdout

    def emit(message: dict[str, Any]) -> None:
        # The parent may be gone: the work matters, its report does not.
        try:
            stdout.write(json.dumps(message) + "\n")
            stdout.flush()
        except (OSError, ValueError):
            # Point stdout at /dev/null, so that the flush at exit does not
            # print a BrokenPipeError into the terminal the build ran in.
            with contextlib.suppress(OSError, ValueError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, stdout.fileno())

    request = json.loads(sys.stdin.readline())
    if request.get("verbose"):
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    try:
        done = _child(request, sys.stdin, emit)
    except ValidationFailed as exc:
        emit({"error": {"message": str(exc), "exit_code": exc.exit_code,
                        "problems": [asdict(p) for p in exc.problems]}})
    except SiteGenError as exc:
        emit({"error": {"message": str(exc), "exit_code": exc.exit_code}})
    except Exception as exc:
        log.exception("scheduler failed")
        emit({"error": {"message": f"unexpected {type(exc).__name__}: {exc}",
                        "exit_code": ExitCode.UNEXPECTED}})
    else:
        emit({"done": done})


if __name__ == "__main__":
    main()
