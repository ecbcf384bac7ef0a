"""Every host format of ``site-gen headers``, read back by the host itself, equals the policy.

The source of truth is :class:`SiteHeaders` (what ``for_path`` says a host
sends for a path). nginx serves the built site with the generated snippet
and real requests read the headers back; Caddy adapts its Caddyfile to
JSON (its own parser); ``_headers``, vercel.json and firebase.json are
parsed with their matching rules. ``.ci/run`` installs nginx-light and
caddy from Debian; locally the tests skip without them, in CI they fail.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from site_gen.commands.build import BuildOptions, build
from site_gen.commands.headers import headers
from site_gen.render.headers import SiteHeaders, site_headers
from site_gen.structure.site import load_site
from tests.helpers import BASE_CONFIG, NOW, SiteFactory

CONFIG = BASE_CONFIG + """
[integrations.analytics]
provider = "matomo"
site_id = "7"
origin = "https://stats.acme.example"

[security.csp]
frame_src = ["https://www.youtube-nocookie.com"]
script_src = ["https://js.hsforms.net"]

[registration]
url = "https://forms.example.com/f/1"
"""
FORM_PAGE = "---\ntitle: Form\nhost: marketing\nregistration: true\n---\nHi.\n"
PATHS = ["/", "/form/", "/form/registered/", "/assets/site-gen.css", "/404.html"]


@pytest.fixture
def site(make_site: SiteFactory) -> tuple[Path, SiteHeaders]:
    root = make_site({"content/form.md": FORM_PAGE}, config=CONFIG)
    loaded = load_site(root, environ={})
    return root, site_headers(loaded.config, loaded.pages)


def need(tool: str) -> str:
    sbin = Path("/usr/sbin") / tool
    path = shutil.which(tool) or (str(sbin) if sbin.exists() else None)
    if path is None:
        message = f"{tool} not installed (apt-get install {tool}-light or {tool}; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def expected(policy: SiteHeaders, path: str) -> dict[str, str]:
    return policy.for_path(path)


def test_the_policy_carries_every_declaration(site: tuple[Path, SiteHeaders]) -> None:
    _, policy = site
    csp = policy.csp
    assert "https://stats.acme.example" in csp.sources("script-src")
    assert "https://js.hsforms.net" in csp.sources("script-src")
    assert "https://forms.example.com" in csp.sources("form-action")
    assert expected(policy, "/assets/x.css")["Cache-Control"] == "public, max-age=3600"
    assert "Cache-Control" not in expected(policy, "/")


def test_netlify_headers_file_read_back(site: tuple[Path, SiteHeaders]) -> None:
    root, policy = site
    text = headers(root, "netlify", environ={})
    build(root, BuildOptions(now=NOW, environ={}))
    assert (root / "public/_headers").read_text() == text
    rules: list[tuple[str, dict[str, str]]] = []
    for line in text.splitlines():
        if line.startswith("/"):
            rules.append((line, {}))
        elif line.strip():
            name, _, value = line.strip().partition(": ")
            rules[-1][1][name] = value
    for path in PATHS:
        got: dict[str, str] = {}
        for pattern, values in rules:  # Netlify: every matching rule applies
            if fnmatch.fnmatch(path, pattern):
                got.update(values)
        assert got == expected(policy, path), path


def test_vercel_json_read_back(site: tuple[Path, SiteHeaders]) -> None:
    root, policy = site
    data = json.loads(headers(root, "vercel", environ={}))
    for path in PATHS:
        got = {}
        for entry in data["headers"]:  # path-to-regexp: these sources are plain regexes
            if re.fullmatch(entry["source"], path):
                got.update({h["key"]: h["value"] for h in entry["headers"]})
        assert got == expected(policy, path), path


def test_firebase_json_read_back(site: tuple[Path, SiteHeaders]) -> None:
    root, policy = site
    data = json.loads(headers(root, "firebase", environ={}))
    for path in PATHS:
        got = {}
        for entry in data["hosting"]["headers"]:  # globs: ** is any path
            glob = entry["source"].replace("**", "*")
            if fnmatch.fnmatch(path, glob if glob.startswith("/") else "/" + glob):
                got.update({h["key"]: h["value"] for h in entry["headers"]})
        assert got == expected(policy, path), path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_caddy_adapts_the_snippet_to_the_same_headers(
    site: tuple[Path, SiteHeaders], tmp_path: Path
) -> None:
    caddy = need("caddy")
    root, policy = site
    (tmp_path / "headers.caddy").write_text(headers(root, "caddy", environ={}))
    caddyfile = tmp_path / "Caddyfile"
    caddyfile.write_text(
        f"{{\n\tadmin off\n}}\n127.0.0.1:{_free_port()} {{\n"
        f"\troot * {root / 'public'}\n\timport {tmp_path / 'headers.caddy'}\n\tfile_server\n}}\n"
    )
    result = subprocess.run(
        [caddy, "adapt", "--config", str(caddyfile), "--adapter", "caddyfile"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = json.loads(result.stdout)
    (server,) = config["apps"]["http"]["servers"].values()
    routes = server["routes"]
    # A site address wraps the routes in a subroute; unwrap it.
    while len(routes) == 1 and routes[0]["handle"][0]["handler"] == "subroute":
        routes = routes[0]["handle"][0]["routes"]
    for path in PATHS:
        got: dict[str, str] = {}
        for route in routes:
            globs = [g for m in route.get("match", []) for g in m.get("path", [])]
            if globs and not any(fnmatch.fnmatch(path, g) for g in globs):
                continue
            for handler in route["handle"]:
                if handler["handler"] == "headers":
                    got.update({k: v[0] for k, v in handler["response"]["set"].items()})
        assert got == expected(policy, path), path


def test_nginx_serves_the_snippet_s_headers(
    site: tuple[Path, SiteHeaders], tmp_path: Path
) -> None:
    nginx = need("nginx")
    root, policy = site
    build(root, BuildOptions(now=NOW, environ={}))
    (tmp_path / "headers.conf").write_text(headers(root, "nginx", environ={}))
    port = _free_port()
    temp = tmp_path / "tmp"
    temp.mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"""
daemon off;
worker_processes 1;
{"user root;" if os.geteuid() == 0 else ""}
pid {tmp_path / 'nginx.pid'};
error_log {tmp_path / 'error.log'};
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root / 'public'};
        include {tmp_path / 'headers.conf'};
    }}
}}
""")
    checked = subprocess.run(
        [nginx, "-t", "-e", "stderr", "-p", str(tmp_path), "-c", str(conf)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert checked.returncode == 0, checked.stderr
    log = tmp_path / "error.log"
    server = subprocess.Popen(
        [nginx, "-e", str(log), "-p", str(tmp_path), "-c", str(conf)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                started = time.monotonic() < deadline and server.poll() is None
                assert started, f"nginx did not start: {log.read_text() if log.exists() else ''}"
                time.sleep(0.05)
        for path in PATHS:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
                got = {k: answer.headers[k] for k in expected(policy, path)}
                extra = {"Cache-Control"} - set(expected(policy, path))
                assert all(answer.headers[k] is None for k in extra), path
            assert got == expected(policy, path), path
    finally:
        server.terminate()
        server.wait(timeout=10)
