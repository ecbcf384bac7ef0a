"""Scheduling in the build against the sandbox over real loopback HTTP.

The faults of issue 4: a build killed with SIGKILL, a create failing in the
middle, tokens expiring mid-build, wrong or missing credentials; and the
promise behind the lock: a rebuild of unchanged definitions makes no call.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from site_gen.callbridge.sandbox.testing import running_sandbox
from site_gen.commands.build import BuildOptions, build
from site_gen.commands.plan import PlanOptions, plan
from site_gen.errors import SiteGenError, ValidationFailed
from site_gen.paths import LOCK_FILE
from tests.helpers import BASE_CONFIG, NOW, SiteFactory, snapshot, write_tree
from tests.helpers import SANDBOX_ADMIN_ENV as ADMIN


def config(api: str) -> str:
    """The tests' usual site.toml, scheduling through ``api``."""
    return BASE_CONFIG.replace('api = "sandbox"', f'api = "{api}"')


def webinars(count: int, *, day: int = 15) -> dict[str, str | bytes]:
    """``count`` future webinars, one a day from March ``day``th 2027."""
    return {
        f"content/webinar-{n:02d}.md": (
            f"---\ntitle: Webinar {n}\nkind: webinar\nhost: marketing\n"
            f"start: 2027-03-{day + n % 10:02d} {9 + n // 10:02d}:00\nduration: 45\n---\nHi.\n"
        )
        for n in range(count)
    }


@pytest.fixture
def sandbox() -> Iterator:
    with running_sandbox() as server:
        yield server


def locked_conferences(root: Path, api: str) -> dict[str, dict]:
    data = json.loads((root / LOCK_FILE).read_text())
    return data["apis"].get(api, {}).get("conferences", {})


def subjects(sandbox) -> list[str]:
    return sorted(c["subject"] for c in sandbox.conferences())


def test_build_schedules_each_webinar_once_and_rebuilds_make_no_call(
    make_site: SiteFactory, sandbox
) -> None:
    root = make_site({**webinars(3)}, config=config(sandbox.url))
    report = build(root, BuildOptions(now=NOW, environ=ADMIN))
    assert report.scheduled == 3
    assert subjects(sandbox) == ["Webinar 0", "Webinar 1", "Webinar 2"]
    locked = locked_conferences(root, sandbox.url)
    assert sorted(locked) == ["webinar-00", "webinar-01", "webinar-02"]
    ids = {c["conference_id"] for c in sandbox.conferences()}
    assert {e["conference_id"] for e in locked.values()} == ids
    assert (root / "public/webinar-00/index.html").exists()

    calls = dict(sandbox.calls())
    again = build(root, BuildOptions(now=NOW, environ=ADMIN))
    assert again.scheduled == 0
    assert again.reused == 3
    assert sandbox.calls() == calls  # not even authenticate


def test_plan_lists_creates_and_makes_none(make_site: SiteFactory, sandbox) -> None:
    root = make_site(webinars(2), config=config(sandbox.url))
    result = plan(root, PlanOptions(now=NOW, environ=ADMIN))
    assert [(a.kind, a.key) for a in result.actions] == [
        ("conference", "webinar-00"), ("conference", "webinar-01")]
    assert sandbox.conferences() == []
    assert sandbox.calls().get("conference/create", 0) == 0
    assert not (root / LOCK_FILE).exists()


def test_plan_with_wrong_credentials_fails_before_any_create(
    make_site: SiteFactory, sandbox
) -> None:
    root = make_site(webinars(1), config=config(sandbox.url))
    env = {"CALLBRIDGE_EMAIL": "admin@acme.test", "CALLBRIDGE_PASSWORD": "not-it-9431"}
    with pytest.raises(SiteGenError) as caught:
        plan(root, PlanOptions(now=NOW, environ=env))
    assert "admin@acme.test" in str(caught.value)
    assert "not-it-9431" not in str(caught.value)


def test_seventh_of_ten_creates_fails(make_site: SiteFactory, sandbox) -> None:
    root = make_site(config=config(sandbox.url))
    build(root, BuildOptions(now=NOW, environ=ADMIN))  # a published site, before the webinars
    before = snapshot(root / "public")
    write_tree(root, webinars(10))
    sandbox.fail_nth("conference/create", 7)

    with pytest.raises(SiteGenError) as caught:
        build(root, BuildOptions(now=NOW, environ=ADMIN, concurrency=1))
    assert caught.value.exit_code == 3
    assert "500" in str(caught.value) or "server" in str(caught.value).lower()
    assert len(locked_conferences(root, sandbox.url)) == 6
    assert len(sandbox.conferences()) == 6
    assert snapshot(root / "public") == before

    report = build(root, BuildOptions(now=NOW, environ=ADMIN, concurrency=1))
    assert report.scheduled == 4
    assert len(sandbox.conferences()) == 10
    assert len(locked_conferences(root, sandbox.url)) == 10
    assert subjects(sandbox) == sorted(f"Webinar {n}" for n in range(10))


def test_tokens_expiring_mid_build_are_renewed(make_site: SiteFactory, sandbox) -> None:
    root = make_site(webinars(8), config=config(sandbox.url))
    sandbox.set_latency(100)  # creates still to make when the third answer is reported
    expired = []

    def expire_after_three(progress) -> None:
        if progress.done == 3:
            sandbox.expire_tokens()
            expired.append(len(sandbox.conferences()))

    report = build(
        root, BuildOptions(now=NOW, environ=ADMIN, concurrency=2, on_progress=expire_after_three)
    )
    assert expired and expired[0] < 8 and report.scheduled == 8
    assert len(sandbox.conferences()) == 8
    assert sandbox.calls()["authenticate"] == 2


@pytest.mark.parametrize("env", [
    {"CALLBRIDGE_EMAIL": "admin@acme.test", "CALLBRIDGE_PASSWORD": "wrong-7f3e2a"},
    {},
], ids=["wrong", "missing"])
def test_bad_credentials_one_line_nothing_scheduled(
    make_site: SiteFactory, sandbox, env: dict[str, str]
) -> None:
    root = make_site(webinars(2), config=config(sandbox.url))
    result = run_cli(root, "build", env=env)
    assert result.returncode == 3
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.stderr
    if env:
        assert "admin@acme.test" in errors[0]
        assert "wrong-7f3e2a" not in result.stderr + result.stdout
    else:
        assert "CALLBRIDGE_EMAIL" in errors[0]
    assert sandbox.conferences() == []
    assert not (root / LOCK_FILE).exists()
    assert not (root / "public").exists()


def test_offline_names_every_page_the_lock_lacks(make_site: SiteFactory, sandbox) -> None:
    root = make_site(webinars(2), config=config(sandbox.url))
    with pytest.raises(ValidationFailed) as caught:
        build(root, BuildOptions(now=NOW, environ=ADMIN, offline=True))
    text = str(caught.value)
    assert "webinar-00" in text and "webinar-01" in text
    assert sandbox.calls() == {} or sum(sandbox.calls().values()) == 0


def test_reschedule_supersedes_and_the_page_uses_the_new_conference(
    make_site: SiteFactory, sandbox
) -> None:
    root = make_site(webinars(1), config=config(sandbox.url))
    build(root, BuildOptions(now=NOW, environ=ADMIN))
    first = locked_conferences(root, sandbox.url)["webinar-00"]["conference_id"]
    page = root / "content/webinar-00.md"
    page.write_text(page.read_text().replace("duration: 45", "duration: 90"))
    with pytest.raises(ValidationFailed) as caught:
        build(root, BuildOptions(now=NOW, environ=ADMIN))
    assert "duration" in str(caught.value) and "webinar-00" in str(caught.value)
    assert len(sandbox.conferences()) == 1

    build(root, BuildOptions(now=NOW, environ=ADMIN, reschedule=True))
    entry = locked_conferences(root, sandbox.url)["webinar-00"]
    assert entry["conference_id"] != first
    assert [s["conference_id"] for s in entry["superseded"]] == [first]
    assert len(sandbox.conferences()) == 2


def run_cli(root: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CALLBRIDGE_")}
    return subprocess.run(
        [sys.executable, "-m", "site_gen.cli", *args, str(root)],
        env={**clean, **env}, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sigkill_at_a_random_moment_then_rebuild_makes_one_conference_each(
    make_site: SiteFactory, seed: int
) -> None:
    """Kill the build while creates are in flight (latency on); the rebuild completes."""
    count = 24
    with running_sandbox(latency_ms=60) as sandbox:
        root = make_site(webinars(count), config=config(sandbox.url))
        clean = {k: v for k, v in os.environ.items() if not k.startswith("CALLBRIDGE_")}
        env = {**clean, **ADMIN}
        build_cmd = [sys.executable, "-m", "site_gen.cli", "build", "--concurrency", "4",
                     str(root)]
        # A process group of its own, killed whole: as a CI runner cancelling a job does.
        proc = subprocess.Popen(build_cmd, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
        # Wait until creates are under way, then kill at a random moment among them.
        deadline = time.monotonic() + 60
        while sandbox.calls().get("conference/create", 0) == 0:
            assert time.monotonic() < deadline, "the build never started creating"
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.005)
        time.sleep(random.Random(seed).uniform(0.0, 0.3))
        os.killpg(proc.pid, signal.SIGKILL)
        assert len(sandbox.conferences()) < count  # killed with creates still to make
        proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL

        rebuilt = subprocess.run(build_cmd, env=env, capture_output=True, text=True,
                                 timeout=120, check=False)
        assert rebuilt.returncode == 0, rebuilt.stderr
        made = subjects(sandbox)
        assert made == sorted(f"Webinar {n}" for n in range(count)), made
        assert len(locked_conferences(root, sandbox.url)) == count


def test_example_webinar_builds_against_the_in_process_sandbox(make_site: SiteFactory) -> None:
    root = make_site(webinars(1), config=config("sandbox"))
    report = build(root, BuildOptions(now=NOW, environ={}))
    assert report.scheduled == 1
    assert (root / ".site-gen/sandbox.db").exists()
    locked = locked_conferences(root, "sandbox")
    assert list(locked) == ["webinar-00"]
    again = build(root, BuildOptions(now=NOW, environ={}))
    assert again.scheduled == 0


def test_cli_plan_table_exit_code_and_progress_lines(make_site: SiteFactory, sandbox) -> None:
    root = make_site(webinars(2), config=config(sandbox.url))
    planned = run_cli(root, "plan", "--exit-code", env=ADMIN)
    assert planned.returncode == 2, planned.stderr
    header, *rows = [line.split() for line in planned.stdout.splitlines()[:3]]
    assert header[:3] == ["action", "object", "key"]
    assert [r[:4] for r in rows] == [
        ["create", "conference", "webinar-00", "content/webinar-00.md"],
        ["create", "conference", "webinar-01", "content/webinar-01.md"],
    ]
    assert "2 to create" in planned.stdout
    assert sandbox.calls().get("conference/create", 0) == 0
    assert sandbox.calls().get("authenticate", 0) == 1  # the credentials were checked

    built = run_cli(root, "build", env=ADMIN)
    assert built.returncode == 0, built.stderr
    progress = [line for line in built.stderr.splitlines() if line.startswith("[")]
    # Not a terminal: one plain line per create, in the order they finished.
    assert [line[:6] for line in progress] == ["[1/2] ", "[2/2] "]
    assert sorted(line.split(":")[0][6:] for line in progress) == [
        "create conference webinar-00", "create conference webinar-01"]
    again = run_cli(root, "plan", "--exit-code", env={})
    assert again.returncode == 0, again.stderr
    assert "Nothing to create" in again.stdout
