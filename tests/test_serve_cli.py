"""``site-gen serve`` on the command line: options → library call, Ctrl-C, port errors."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import httpx
import pytest
from click.testing import CliRunner

from site_gen import cli
from site_gen.commands import serve as serve_module
from site_gen.commands.serve import ServeOptions
from site_gen.preview.server import PortInUse
from site_gen.utils.net import bind_socket
from tests.helpers import SiteFactory

PATIENCE = 30.0


def test_options_reach_the_library_call(
    make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site()
    calls: list[tuple[Path, ServeOptions]] = []
    monkeypatch.setattr(serve_module, "serve", lambda site, options: calls.append((site, options)))
    result = CliRunner().invoke(
        cli.main, ["serve", str(root), "--port", "8123", "--host", "::1", "--open", "--no-sandbox"]
    )
    assert result.exit_code == 0, result.output
    ((site, options),) = calls
    assert site == root
    assert (options.host, options.port, options.open_browser, options.sandbox) == (
        "::1", 8123, True, False
    )


def test_defaults(make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[ServeOptions] = []
    monkeypatch.setattr(serve_module, "serve", lambda site, options: calls.append(options))
    assert CliRunner().invoke(cli.main, ["serve"]).exit_code == 0
    ((options,),) = [calls]
    assert (options.host, options.port, options.open_browser, options.sandbox) == (
        "127.0.0.1", 8000, False, True
    )


def test_no_free_port_exits_with_a_message(
    make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(site: Path, options: ServeOptions) -> None:
        raise PortInUse("port 8000 and the 19 after it are in use on 127.0.0.1: ...")

    monkeypatch.setattr(serve_module, "serve", refuse)
    result = CliRunner().invoke(cli.main, ["serve", str(make_site())])
    assert result.exit_code == 2
    assert "Error: port 8000 and the 19 after it are in use" in result.output


def _lines(stream: IO[str], into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line.rstrip("\n"))
    into.put("")


def _wait_for(lines: queue.Queue[str], prefix: str, seen: list[str]) -> str:
    while True:
        line = lines.get(timeout=PATIENCE)
        seen.append(line)
        if line.startswith(prefix):
            return line


def test_ctrl_c_shuts_down_cleanly(make_site: SiteFactory) -> None:
    root = make_site()
    blocker = bind_socket("127.0.0.1", 0)
    port = blocker.getsockname()[1]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "site_gen.cli", "serve", str(root), "--port", str(port),
         "--no-sandbox"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    assert process.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=_lines, args=(process.stdout, lines), daemon=True)
    reader.start()
    seen: list[str] = []
    try:
        serving = _wait_for(lines, "Serving ", seen)
        url = serving.split()[1]
        # The requested port was taken: the next free one, and the user is told.
        assert any(line.startswith(f"Port {port} is in use: serving on port") for line in seen)
        assert not url.endswith(f":{port}/")
        with httpx.Client(base_url=url, timeout=PATIENCE) as http:
            assert "Hello" in http.get("/office-hours/").text
            # An open event stream must not keep the server from stopping.
            with http.stream("GET", "/_site-gen/events", params={"path": "/"}) as events:
                next(events.iter_lines())
                process.send_signal(signal.SIGINT)
                assert process.wait(timeout=PATIENCE) == 0
        _wait_for(lines, "Stopped.", seen)
        assert not any("Traceback" in line or "Interrupted" in line for line in seen), seen
    finally:
        blocker.close()
        if process.poll() is None:
            process.kill()
            process.wait()
        reader.join(PATIENCE)
        process.stdout.close()
