"""``site-gen host-link``: a host's SSO URL, to a terminal only, never stored."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
from click.testing import CliRunner

from site_gen.callbridge.sandbox.testing import running_sandbox
from site_gen.cli import main
from site_gen.commands.build import BuildOptions, build
from site_gen.commands.host_link import host_link
from tests.helpers import BASE_CONFIG, NOW, SiteFactory


def test_refuses_to_write_to_a_pipe(make_site: SiteFactory) -> None:
    root = make_site()
    result = CliRunner().invoke(main, ["host-link", "marketing", "--site", str(root)])
    assert result.exit_code == 2
    assert "login URL" in result.output and "/auth" not in result.output


def test_sandbox_link_with_the_sandbox_key(make_site: SiteFactory) -> None:
    root = make_site()
    result = CliRunner().invoke(
        main, ["host-link", "marketing", "--site", str(root), "--allow-pipe",
               "--after-call-url", "https://live.test.example/thanks/"],
    )
    assert result.exit_code == 0, result.output
    assert "signs anyone who opens it in as the host" in result.output
    url = urlsplit(result.output.strip().splitlines()[-1])
    assert (url.scheme, url.netloc, url.path) == ("https", "meet.test.example", "/auth")
    query = parse_qs(url.query)
    assert query["host_id"] == ["3"]
    assert query["redirect_url"] == ["/conf/call/1234567"]
    assert query["after_call_url"] == ["https://live.test.example/thanks/"]
    assert len(query["login_token_public_key"][0]) >= 16


def test_real_api_key_comes_from_the_environment(make_site: SiteFactory) -> None:
    config = BASE_CONFIG.replace('api = "sandbox"', 'api = "https://acme.callbridge.example"')
    root = make_site(config=config)
    env = {"CALLBRIDGE_LOGIN_TOKEN_MARKETING": "key-from-env-77"}
    url = host_link(root, "marketing", environ=env)
    assert url.startswith("https://meet.test.example/auth?host_id=3&")
    assert parse_qs(urlsplit(url).query)["login_token_public_key"] == ["key-from-env-77"]

    result = CliRunner().invoke(
        main, ["host-link", "marketing", "--site", str(root), "--allow-pipe"], env={}
    )
    assert result.exit_code == 2
    assert "CALLBRIDGE_LOGIN_TOKEN_MARKETING" in result.output
    unknown = CliRunner().invoke(main, ["host-link", "nobody", "--site", str(root),
                                        "--allow-pipe"])
    assert unknown.exit_code == 2 and "hosts: marketing" in unknown.output


def test_the_link_signs_the_host_in_and_is_never_stored(
    make_site: SiteFactory, tmp_path: Path
) -> None:
    with running_sandbox() as sandbox:
        config = BASE_CONFIG.replace('api = "sandbox"', f'api = "{sandbox.url}"').replace(
            'domain = "meet.test.example"\n', "")
        root = make_site(config=config)
        key = sandbox.state.host(3)["login_token_public_key"]
        build(root, BuildOptions(now=NOW, environ={}))
        url = host_link(root, "marketing", environ={"CALLBRIDGE_LOGIN_TOKEN_MARKETING": key})
        assert url.startswith(f"{sandbox.url}/auth?")
        with httpx.Client() as client:
            signed_in = client.get(url, follow_redirects=True)
            assert signed_in.status_code == 200
            assert signed_in.url.path == "/conf/call/1234567"
            assert 'data-testid="host-controls"' in signed_in.text
            forged = client.get(url.replace(key, "0" * len(key)), follow_redirects=False)
            assert forged.status_code == 401
        for file in root.rglob("*"):
            if file.is_file():
                assert key.encode() not in file.read_bytes(), file
