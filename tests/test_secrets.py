"""No secret in anything site-gen writes or prints, whether the build succeeds or fails.

The build runs as users run it (the CLI, with -v so that logs are on),
against the sandbox over HTTP, with recognisable credentials; then every
file under the site (output, lock, caches) and everything printed is
searched for the password, the auth tokens the sandbox issued, and the
secrets in the API's answers: moderator PINs, security PINs,
login_token_public_key, password_creation_link.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from site_gen.callbridge.sandbox.testing import running_sandbox
from tests.helpers import SiteFactory

EMAIL = "ci-robot@acme.test"
PASSWORD = "pw-RECOGNISABLE-5b7c1d"
WRONG = "pw-WRONG-RECOGNISABLE-0e9f"
SECURITY_PIN = "4242017"

CONFIG = """\
[site]
title = "Secrets"
base_url = "https://live.test.example"
time_zone = "Europe/Paris"

[callbridge]
api = "{api}"

[hosts.marketing]
name = "Marketing"
email = "marketing@acme.test"
host_id = 3
access_code = "1234567"

[hosts.sales]
name = "Sales Team"
email = "sales@acme.test"
create = true
"""


def webinar(n: int, host: str, pin: bool = False) -> str:
    extra = f"security_pin: '{SECURITY_PIN}'\n" if pin else ""
    return (f"---\ntitle: Webinar {n}\nkind: webinar\nhost: {host}\n"
            f"start: 2027-05-0{n} 10:00\nduration: 30\n{extra}---\nBody.\n")


def run_build(root: Path, password: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLBRIDGE_")}
    env.update(CALLBRIDGE_EMAIL=EMAIL, CALLBRIDGE_PASSWORD=password)
    return subprocess.run(
        [sys.executable, "-m", "site_gen.cli", "build", "-v", *args, str(root)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )


def written_files(root: Path) -> list[Path]:
    """Everything under the site except its inputs (site.toml and content/ are the user's)."""
    return [
        p for p in root.rglob("*")
        if p.is_file() and p.name != "site.toml" and "content" not in p.relative_to(root).parts
    ]


def assert_nowhere(secrets: dict[str, str], root: Path, *printed: str) -> None:
    assert all(len(s) >= 6 for s in secrets.values()), secrets
    for label, secret in secrets.items():
        for text in printed:
            assert secret not in text, f"{label} printed"
        for file in written_files(root):
            assert secret.encode() not in file.read_bytes(), f"{label} in {file}"


@pytest.mark.parametrize("outcome", ["success", "api-failure", "wrong-password"])
def test_no_secret_is_written_or_printed(make_site: SiteFactory, outcome: str) -> None:
    with running_sandbox() as sandbox:
        sandbox.state.add_account(2, EMAIL, PASSWORD, role="COMPANY_ADMIN")
        root = make_site(
            {
                "content/w1.md": webinar(1, "marketing", pin=True),
                "content/w2.md": webinar(2, "sales"),
                "content/w3.md": webinar(3, "sales", pin=True),
            },
            config=CONFIG.format(api=sandbox.url),
        )
        if outcome == "api-failure":
            sandbox.fail_nth("conference/create", 2)
        result = run_build(root, WRONG if outcome == "wrong-password" else PASSWORD,
                           "--concurrency", "1")
        expected = {"success": 0, "api-failure": 3, "wrong-password": 3}[outcome]
        assert result.returncode == expected, result.stderr

        secrets = {"password": PASSWORD, "wrong password": WRONG, "security_pin": SECURITY_PIN}
        for n, token in enumerate(sandbox.state._tokens):
            secrets[f"auth token {n}"] = token
        if outcome != "wrong-password":
            assert secrets.keys() & {"auth token 0"}, "the build never authenticated"
            hosts = [h for h in (sandbox.state.host(i) for i in range(4, 20)) if h]
            created = [h for h in hosts if h["email"] == "sales@acme.test"]
            assert len(created) == 1
            for key in ("login_token_public_key", "password_creation_link"):
                secrets[key] = created[0][key]
            secrets["moderator_pin"] = str(created[0]["moderator_pin"]["number"])
            assert (root / "site-gen.lock").exists()
        if outcome == "success":
            assert (root / "public/w1/index.html").exists()
        assert_nowhere(secrets, root, result.stdout, result.stderr)
