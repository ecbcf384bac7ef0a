"""The sandbox's browser pages, SSO and test controls, over real loopback HTTP."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Page, expect

from site_gen.callbridge.sandbox.state import login_token_for, seed_login_key
from site_gen.callbridge.sandbox.testing import RunningSandbox, running_sandbox
from site_gen.commands.sandbox import default_db


@pytest.fixture(scope="module")
def served() -> Iterator[RunningSandbox]:
    with running_sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def web(served: RunningSandbox) -> Iterator[httpx.Client]:
    served.reset()
    with httpx.Client(base_url=served.url, follow_redirects=False) as client:
        yield client


def by_testid(html: str, name: str) -> str:
    tag = BeautifulSoup(html, "html.parser").find(attrs={"data-testid": name})
    assert tag is not None, name
    return str(tag.get_text(strip=True))


def test_room_reflects_the_iframe_parameters(web: httpx.Client) -> None:
    query = (
        "name=Steve+Irwin&skip_join=true&mute=camera,mic&view=bottom_speaker&strip_layout=true"
        "&res=720&tiles=9&audio_level=true&events=true&skipjoin=1"
    )
    response = web.get(f"/conf/call/1234567?{query}")
    assert response.status_code == 200
    assert "x-frame-options" not in response.headers  # sites frame it
    html = response.text
    room = BeautifulSoup(html, "html.parser").find(attrs={"data-testid": "room"})
    assert room is not None
    assert {k: room[k] for k in room.attrs if k.startswith("data-")} == {
        "data-testid": "room", "data-code": "1234567", "data-role": "participant",
        "data-joined": "true", "data-name": "Steve Irwin", "data-skip-join": "true",
        "data-observer": "false", "data-camera": "off", "data-mic": "off",
        "data-view": "bottom_speaker", "data-strip-layout": "true", "data-res": "720",
        "data-tiles": "9", "data-audio-level": "true", "data-events": "true",
    }  # fmt: skip
    assert room["class"] == ["strip"]
    assert by_testid(html, "layout") == "strip"
    assert by_testid(html, "room-title") == "Acme Marketing's room"
    assert by_testid(html, "ignored-params") == "Ignored: skipjoin"
    assert by_testid(html, "param-view") == "bottom_speaker"


def test_room_defaults_and_escaping(web: httpx.Client) -> None:
    html = web.get("/conf/call/1234567", params={"name": '<script>alert("x")</script>'}).text
    assert "<script>alert" not in html
    assert by_testid(html, "param-name") == '<script>alert("x")</script>'
    assert by_testid(html, "room-status") == "Not joined"
    assert by_testid(html, "param-view") == "gallery" and by_testid(html, "camera") == "camera on"


@pytest.mark.parametrize(
    "path",
    [
        "/conf/call/7777777",
        "/conf/call/abc",
        "/conf/call/..%2F..%2Fetc%2Fpasswd",
        "/conf/call/%2e%2e",
        "/livestream/..%2Fsandbox.db",
        "/conf/call/1234567/../../etc/passwd",
    ],
)
def test_unknown_rooms_and_traversal_are_404(web: httpx.Client, path: str) -> None:
    response = web.get(httpx.URL(web.base_url.join("/")).copy_with(raw_path=path.encode()))
    assert response.status_code == 404
    assert "root:" not in response.text


def test_livestream_page(web: httpx.Client) -> None:
    response = web.get("/livestream/1234567")
    assert response.status_code == 200
    assert by_testid(response.text, "player") == ""
    assert "x-frame-options" not in response.headers


def test_sso_via_get_and_post(served: RunningSandbox, web: httpx.Client) -> None:
    host = served.state.host(3)
    assert host is not None
    key = host["login_token_public_key"]
    params = {
        "host_id": "3", "login_token_public_key": key, "redirect_url": "/conf/call/1234567",
        "after_call_url": "https://en.wikipedia.org",
    }  # fmt: skip
    response = web.get("/auth", params=params)
    assert response.status_code == 302
    assert response.headers["location"] == "/conf/call/1234567"
    assert response.headers["referrer-policy"] == "no-referrer"
    room = web.get("/conf/call/1234567").text
    assert "End meeting for all" in by_testid(room, "host-controls")
    assert 'data-after-call-url="https://en.wikipedia.org"' in room
    # Another host's room does not get host controls.
    assert 'data-testid="host-controls"' not in web.get("/conf/call/2000002").text

    posted = httpx.post(f"{served.url}/auth", json=params)
    assert posted.status_code == 303
    form = httpx.post(f"{served.url}/auth", data=params)
    assert form.status_code == 303 and "sandbox_session" in form.cookies


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"login_token_public_key": "wrong"}, 401),
        ({"host_id": "99"}, 401),
        ({"host_id": "three"}, 401),
        ({"redirect_url": "https://evil.example/"}, 400),
        ({"redirect_url": "//evil.example/"}, 400),
        ({"redirect_url": ""}, 400),
        ({"after_call_url": "javascript:alert(1)"}, 400),
    ],
)
def test_sso_refusals(
    served: RunningSandbox, web: httpx.Client, change: dict[str, str], status: int
) -> None:
    host = served.state.host(3)
    assert host is not None
    params = {"host_id": "3", "login_token_public_key": host["login_token_public_key"],
              "redirect_url": "/"}  # fmt: skip
    params.update(change)
    response = web.get("/auth", params=params)
    assert response.status_code == status
    assert "sandbox_session" not in response.cookies


def test_api_errors_are_json_with_a_message(web: httpx.Client) -> None:
    unknown = web.post("/enterprise_api/conference/delete", json={})
    assert unknown.status_code == 404 and unknown.json() == {
        "message": "no such method: conference/delete"
    }
    garbage = web.post("/enterprise_api/authenticate", content=b"{not json")
    assert garbage.status_code == 400
    assert garbage.json() == {"message": "the request body must be JSON"}
    assert web.get("/enterprise_api/authenticate").status_code == 405


def test_http_test_controls(served: RunningSandbox, web: httpx.Client) -> None:
    login = {"email": "admin@acme.test", "password": "sandbox-admin"}
    assert web.post("/_sandbox/fail_nth", json={"method": "authenticate", "n": 1}).json() == {
        "ok": True
    }
    assert web.post("/enterprise_api/authenticate", json=login).status_code == 500
    token = web.post("/enterprise_api/authenticate", json=login).json()["auth_token"]
    assert web.get("/_sandbox/calls").json()["authenticate"] == 2
    body = {
        "auth_token": token, "host_id": 3, "subject": "S", "agenda": "",
        "start": "2027-01-15 16:00:00", "time_zone": "UTC", "duration": 30,
        "one_time_access_code": False,
    }  # fmt: skip
    assert web.post("/enterprise_api/conference/create", json=body).status_code == 200
    assert [c["subject"] for c in web.get("/_sandbox/conferences").json()] == ["S"]
    assert web.post("/_sandbox/expire_tokens").json() == {"ok": True}
    assert web.post("/enterprise_api/conference/create", json=body).status_code == 401
    assert web.post("/_sandbox/latency", json={"ms": 5}).status_code == 200
    assert served.controls.latency_ms == 5
    assert web.post("/_sandbox/fail_rate", json={"rate": 2}).status_code == 400
    assert web.post("/_sandbox/fail_nth", json={"method": "nope"}).status_code == 400
    assert web.post("/_sandbox/unknown").status_code == 404
    accounts = web.get("/_sandbox/accounts").json()
    assert [a["password"] for a in accounts] == [
        "sandbox-reseller", "sandbox-admin", "sandbox-host"
    ]  # fmt: skip
    assert web.post("/_sandbox/reset").json() == {"ok": True}
    assert web.get("/_sandbox/conferences").json() == []
    assert web.get("/_sandbox/calls").json()["authenticate"] == 0


def test_index_lists_the_seeded_accounts(web: httpx.Client) -> None:
    html = web.get("/").text
    assert "admin@acme.test" in html and "sandbox-admin" in html


def test_cli_serves_and_prints_the_seeds(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "site_gen.cli", "sandbox", "--port", "0", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(7)]
        url = lines[0].split()[3]
        assert lines[0].startswith("Callbridge sandbox on http://127.0.0.1:")
        assert lines[1] == f"State: {db}\n"
        assert "admin@acme.test" in lines[4] and "sandbox-admin" in lines[4]
        for _ in range(100):  # uvicorn starts after the banner
            try:
                response = httpx.get(f"{url}/conf/call/1234567")
                break
            except httpx.ConnectError:
                time.sleep(0.05)
        assert response.status_code == 200
        assert db.exists()
    finally:
        process.terminate()
        process.communicate(timeout=20)


def test_cli_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "site_gen.cli", "sandbox", "--port", str(port)],
            cwd=tmp_path,
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert result.returncode == 1
    assert f"Error: cannot listen on 127.0.0.1:{port}: Address already in use" in result.stderr


@pytest.mark.browser
def test_leave_buttons_post_the_guides_message(page: Page, served: RunningSandbox) -> None:
    served.reset()
    page.goto(f"{served.url}/livestream/1234567")  # any page of another origin than the room
    page.evaluate(
        """url => {
            window.__messages = [];
            window.addEventListener('message', e => window.__messages.push(e.data));
            const frame = document.createElement('iframe');
            frame.src = url;
            document.body.append(frame);
        }""",
        served.url.replace("127.0.0.1", "localhost") + "/conf/call/1234567?name=Ann",
    )
    room = page.frame_locator("iframe")
    room.get_by_test_id("join").click()
    expect(room.get_by_test_id("room-status")).to_have_text("In the meeting")
    for button in ("kick", "block", "leave"):
        room.get_by_test_id(button).click()
    page.wait_for_function("window.__messages.length === 3")
    assert page.evaluate("window.__messages") == [
        {"type": "iotumLeaveCallEvent", "reason": "kicked"},
        {"type": "iotumLeaveCallEvent", "reason": "blocked"},
        {"type": "iotumLeaveCallEvent", "reason": "left"},
    ]


def test_inside_a_site_the_sandbox_shares_the_builds_database(tmp_path: Path) -> None:
    assert default_db(tmp_path) is None
    (tmp_path / "site.toml").write_text("[site]\n", encoding="utf-8")
    assert default_db(tmp_path) == tmp_path / ".site-gen" / "sandbox.db"
    assert (tmp_path / ".site-gen").is_dir()


def test_seeded_login_keys_are_fixed_and_readable(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    key = login_token_for(db, 3)
    assert key == seed_login_key(3) and len(key) == 32
    assert login_token_for(db, 99) is None
    with running_sandbox() as other:  # another sandbox, in memory: the same seeded key
        assert other.state.host(3)["login_token_public_key"] == key  # type: ignore[index]
