"""Scheduling throughput: N webinars against the sandbox with latency, vs the ideal bound.

    .venv/bin/python bench/schedule_bench.py [--webinars 500] [--latency-ms 50] [--concurrency 8]

The bound is webinars x latency / concurrency: what perfect pipelining of
the creates would take. The figure that matters is the ratio to it (the
target is 1.3x); it includes starting the scheduler process, authenticating
and writing the lock after every create.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from site_gen.callbridge.sandbox.testing import running_sandbox
from site_gen.scheduling.detached import schedule
from site_gen.scheduling.plan import plan_site

ADMIN = {"CALLBRIDGE_EMAIL": "admin@acme.test", "CALLBRIDGE_PASSWORD": "sandbox-admin"}
NOW = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)


def make_site(root: Path, api: str, webinars: int) -> None:
    (root / "content").mkdir(parents=True)
    (root / "site.toml").write_text(
        f'[site]\ntitle = "Bench"\nbase_url = "https://bench.example"\n'
        f'time_zone = "America/Toronto"\n\n[callbridge]\napi = "{api}"\n\n'
        '[hosts.marketing]\nname = "Marketing"\nemail = "marketing@acme.test"\n'
        'host_id = 3\naccess_code = "1234567"\n'
    )
    for n in range(webinars):
        day = 1 + n % 28
        month = 3 + (n // 28) % 9
        hour = 8 + (n // 252) % 10
        (root / "content" / f"webinar-{n:04d}.md").write_text(
            f"---\ntitle: Webinar {n}\nkind: webinar\nhost: marketing\n"
            f"start: 2027-{month:02d}-{day:02d} {hour:02d}:00\nduration: 30\n---\nBody.\n"
        )


def one_run(webinars: int, latency_ms: int, concurrency: int) -> float:
    with running_sandbox(latency_ms=latency_ms) as sandbox, tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_site(root, sandbox.url, webinars)
        started = time.perf_counter()  # planning included, as in a build
        _, _, plan = plan_site(root, ADMIN, drafts=False, reschedule=False, now=NOW)
        made = schedule(root, plan, environ=ADMIN, concurrency=concurrency, now=NOW)
        seconds = time.perf_counter() - started
        assert made == webinars == len(sandbox.conferences()), (made, webinars)
        return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--webinars", type=int, default=500)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    bound = args.webinars * args.latency_ms / 1000 / args.concurrency
    times = [one_run(args.webinars, args.latency_ms, args.concurrency) for _ in range(args.runs)]
    median = statistics.median(times)
    print(f"{args.webinars} webinars, {args.latency_ms} ms latency, concurrency {args.concurrency}")
    print(f"runs: {', '.join(f'{t:.2f}s' for t in times)}")
    print(f"median {median:.2f}s; bound {bound:.2f}s; ratio {median / bound:.2f}x (target <= 1.3x)")


if __name__ == "__main__":
    main()
