"""The preview server over real loopback HTTP: serving, injection, events, watching, ports."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from site_gen.preview import PreviewServer, PreviewSite
from site_gen.preview.app import inject, lookup
from site_gen.preview.server import PortInUse, listen
from site_gen.utils.net import bind_socket
from tests.helpers import NOW, ROOM_PAGE, SiteFactory

#: Generous bound for "eventually" (a rebuild after a save); never a performance claim.
PATIENCE = 30.0


class Running:
    """A PreviewServer running on its own thread, with what it printed."""

    def __init__(self, server: PreviewServer, lines: list[tuple[str, bool]]) -> None:
        self.server = server
        self.lines = lines

    @property
    def url(self) -> str:
        assert self.server.url is not None
        return self.server.url.rstrip("/")

    def output(self, *, err: bool | None = None) -> str:
        return "\n".join(m for m, e in self.lines if err is None or e == err)

    def wait_for_build(self, number: int) -> None:
        """Until the site's rebuild ``number`` is done (the watcher saw a save)."""
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            last = self.server.site.last
            if last is not None and last.number >= number:
                return
            time.sleep(0.01)
        raise AssertionError(f"no rebuild {number}: {self.output()}")


@contextmanager
def running(root: Path, *, port: int = 0, **options: Any) -> Iterator[Running]:
    """Serve ``root`` with a fixed clock on a free port until the block ends."""
    lines: list[tuple[str, bool]] = []

    def echo(message: str, *, err: bool = False) -> None:
        lines.append((message, err))

    site = PreviewSite(root, environ={}, clock=lambda: NOW)
    companions = [make(site) for make in options.pop("companions", [])]
    server = PreviewServer(site, port=port, echo=echo, companions=companions, **options)
    failure: list[BaseException] = []

    def main() -> None:
        try:
            asyncio.run(server.run())
        except BaseException as exc:
            failure.append(exc)
            server.ready.set()

    thread = threading.Thread(target=main, name="preview-server")
    thread.start()
    try:
        assert server.ready.wait(PATIENCE), "the preview server did not start"
        if failure:
            raise failure[0]
        yield Running(server, lines)
    finally:
        server.stop()
        thread.join(PATIENCE)
        assert not thread.is_alive(), "the preview server did not stop"


class Events:
    """Reads the SSE events of a streaming response, in order."""

    def __init__(self, response: httpx.Response) -> None:
        self.lines = response.iter_lines()

    def next(self, count: int) -> list[tuple[str, Any]]:
        """The next ``count`` events."""
        return read_events(self.lines, count)


def read_events(lines: Iterator[str], count: int) -> list[tuple[str, Any]]:
    """The next ``count`` SSE events from an iterator of lines."""
    events: list[tuple[str, Any]] = []
    name = None
    for line in lines:
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: ") and name is not None:
            events.append((name, json.loads(line.removeprefix("data: "))))
            name = None
            if len(events) == count:
                break
    return events


def test_lookup_serves_folders_like_a_static_host() -> None:
    files = {"index.html", "a/index.html", "a/event.ics"}
    assert lookup(files, "/") == ("index.html", None)
    assert lookup(files, "/a/") == ("a/index.html", None)
    assert lookup(files, "/a") == (None, "/a/")
    assert lookup(files, "/a/event.ics") == ("a/event.ics", None)
    assert lookup(files, "/b/") == (None, None)


def test_inject_goes_before_head_end_or_at_the_end() -> None:
    tag = '<script src="/_site-gen/reload.js" data-version="v1" defer></script>\n'
    assert inject("<html><head><title>x</title></HEAD><body>", "v1") == (
        f"<html><head><title>x</title>{tag}</HEAD><body>"
    )
    assert inject("<p>bare</p>", "v1") == f"<p>bare</p>{tag}"


def test_serves_pages_with_the_reload_script(make_site: SiteFactory) -> None:
    root = make_site()
    with running(root) as live, httpx.Client(base_url=live.url) as http:
        page = http.get("/office-hours/")
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert page.headers["cache-control"] == "no-store"
        assert "Hello <strong>there</strong>" in page.text
        assert '<script src="/_site-gen/reload.js" data-version="' in page.text
        moved = http.get("/office-hours")
        assert moved.status_code == 302
        assert moved.headers["location"] == "/office-hours/"
        missing = http.get("/nowhere/")
        assert missing.status_code == 404
        assert "/_site-gen/reload.js" in missing.text
        assert http.get("/events.ics").headers["content-type"] == "text/calendar; charset=utf-8"
        css = http.get("/assets/site-gen.css")
        assert css.headers["content-type"] == "text/css; charset=utf-8"
        assert "_site-gen" not in css.text
        script = http.get("/_site-gen/reload.js")
        assert script.headers["content-type"] == "text/javascript; charset=utf-8"
        assert "EventSource" in script.text
        status = http.get("/_site-gen/status").json()
        assert status["build"] == 1 and status["pages_rendered"] == 1
        assert "rebuilds" not in status
        since = http.get("/_site-gen/status", params={"since": 0}).json()["rebuilds"]
        assert [(r["build"], r["pages_rendered"]) for r in since] == [(1, 1)]
        assert "office-hours/index.html" in since[0]["changed"]
        assert http.get("/_site-gen/status", params={"since": 1}).json()["rebuilds"] == []
        assert status["problems"] == []
    assert "Built 1 page into memory" in live.output()
    assert f"Serving {live.url}/ (Ctrl-C to stop)" in live.output()
    assert live.output().endswith("Stopped.")


def test_a_save_rebuilds_one_page_and_reloads_its_tab(make_site: SiteFactory) -> None:
    root = make_site({"content/town-hall.md": ROOM_PAGE.replace("Office Hours", "Town Hall")})
    with running(root) as live, httpx.Client(base_url=live.url, timeout=PATIENCE) as http:
        page = http.get("/office-hours/").text
        version = page.split('data-version="')[1].split('"')[0]
        query = {"path": "/office-hours/", "version": version}
        other = http.get("/town-hall/").text.split('data-version="')[1].split('"')[0]
        with http.stream("GET", "/_site-gen/events", params=query) as events, http.stream(
            "GET", "/_site-gen/events", params={"path": "/town-hall/", "version": other}
        ) as untouched_response:
            assert events.headers["content-type"].startswith("text/event-stream")
            untouched = Events(untouched_response)
            events = Events(events)
            assert events.next(1) == [("problems", {"problems": []})]
            assert untouched.next(1) == [("problems", {"problems": []})]
            (root / "content/office-hours.md").write_text(ROOM_PAGE.replace("Hello", "Edited"))
            assert events.next(2) == [
                ("problems", {"problems": []}),
                ("reload", {}),
            ]
            live.wait_for_build(2)
            # The other tab hears the rebuild but its page did not change: no reload.
            assert untouched.next(1) == [("problems", {"problems": []})]
        assert "Edited" in http.get("/office-hours/").text
        status = http.get("/_site-gen/status").json()
        assert status["pages_rendered"] == 1
        assert status["changed"] == ["office-hours/index.html"]
    assert "content/office-hours.md: 1 page rendered in" in live.output(err=False)


def test_a_tab_with_an_old_version_reloads_on_connect(make_site: SiteFactory) -> None:
    root = make_site()
    with running(root) as live, httpx.Client(base_url=live.url, timeout=PATIENCE) as http:
        params = {"path": "/office-hours/", "version": "an-older-server.1"}
        with http.stream("GET", "/_site-gen/events", params=params) as response:
            assert Events(response).next(2) == [("problems", {"problems": []}), ("reload", {})]


def test_problems_go_to_the_tabs_and_the_terminal(make_site: SiteFactory) -> None:
    root = make_site()
    with running(root) as live, httpx.Client(base_url=live.url, timeout=PATIENCE) as http:
        page = http.get("/office-hours/").text
        version = page.split('data-version="')[1].split('"')[0]
        params = {"path": "/office-hours/", "version": version}
        with http.stream("GET", "/_site-gen/events", params=params) as response:
            events = Events(response)
            events.next(1)
            broken = ROOM_PAGE.replace("host:", "skipjoin: true\nhost:")
            (root / "content/office-hours.md").write_text(broken)
            ((name, data),) = events.next(1)
            assert name == "problems"
            (problem,) = data["problems"]
            assert problem.startswith("content/office-hours.md:3: unknown key 'skipjoin'")
            assert http.get("/_site-gen/status").json()["problems"] == [problem]
            # The server keeps serving the last good page.
            assert "Hello" in http.get("/office-hours/").text
            (root / "content/office-hours.md").write_text(ROOM_PAGE)
            assert events.next(1) == [("problems", {"problems": []})]
    assert problem in live.output(err=True)
    assert "1 problem: shown in the browser until fixed" in live.output(err=True)
    assert "All problems fixed." in live.output(err=True)


def test_stop_ends_open_event_streams(make_site: SiteFactory) -> None:
    root = make_site()
    with running(root) as live:
        client = httpx.Client(base_url=live.url, timeout=PATIENCE)
        stream = client.stream("GET", "/_site-gen/events", params={"path": "/"})
        response = stream.__enter__()
        events = Events(response)
        events.next(2)  # problems, then reload: a tab without a version is outdated
        live.server.stop()  # the context manager's join asserts the server stopped
    # The server ended the stream (cleanly: the chunked body is complete).
    assert [line for line in events.lines if line] == []
    stream.__exit__(None, None, None)
    client.close()


def test_taken_port_moves_to_the_next_free_one_and_says_so(make_site: SiteFactory) -> None:
    root = make_site()
    blocker = bind_socket("127.0.0.1", 0)
    port = blocker.getsockname()[1]
    try:
        with running(root, port=port) as live:
            assert live.server.url is not None
            assert live.server.url != f"http://127.0.0.1:{port}/"
            moved = int(live.server.url.rsplit(":", 1)[1].rstrip("/"))
            assert f"Port {port} is in use: serving on port {moved} instead." in live.output()
            assert httpx.get(f"{live.url}/office-hours/").status_code == 200
    finally:
        blocker.close()


def test_no_free_port_is_a_clear_error() -> None:
    taken = []
    first = bind_socket("127.0.0.1", 0)
    taken.append(first)
    port = first.getsockname()[1]
    try:
        for candidate in range(port + 1, port + 3):
            sock = socket.socket()
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                sock.close()
                continue
            sock.listen()
            taken.append(sock)
        if len(taken) < 3:
            pytest.skip("neighbouring ports are busy on this machine")
        with pytest.raises(PortInUse) as error:
            listen("127.0.0.1", port, tries=3)
        assert str(error.value) == (
            f"port {port} and the 2 after it are in use on 127.0.0.1: "
            "stop what uses them or choose another with --port"
        )
    finally:
        for sock in taken:
            sock.close()


@pytest.mark.parametrize("path", [
    "/../site.toml", "/%2e%2e/site.toml", "/assets/../../site.toml", "/..%2fsite.toml",
    "/assets/%2e%2e/%2e%2e/content/office-hours.md", "//etc/passwd", "/assets/..%5c..%5csite.toml",
])
def test_path_traversal_serves_nothing_outside_the_output(
    make_site: SiteFactory, path: str
) -> None:
    root = make_site({"static/ok.txt": "fine"})
    with running(root) as live:
        # Raw request: no client-side normalisation of the dots.
        host, port = live.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
                         .encode())
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        status = int(answer.split(b" ", 2)[1])
        assert status in (400, 404), answer[:200]
        assert b"[site]" not in answer and b"Hello **there**" not in answer
        assert b"root:" not in answer


def test_binds_loopback_by_default(make_site: SiteFactory) -> None:
    with running(make_site()) as live:
        assert live.url.startswith("http://127.0.0.1:")
