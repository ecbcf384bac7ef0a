"""site.toml: loading, defaults, and errors located at their line."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_gen.config.site_toml import SANDBOX_ORIGIN, load_config
from site_gen.errors import ValidationFailed
from tests.helpers import BASE_CONFIG, write_tree


def config_problems(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> list[str]:
    write_tree(tmp_path, {"site.toml": text})
    with pytest.raises(ValidationFailed) as caught:
        load_config(tmp_path, environ or {})
    return [str(p) for p in caught.value.problems]


def test_example_site_config_loads() -> None:
    root = Path(__file__).resolve().parents[1]
    config = load_config(root, {})
    assert config.callbridge.is_sandbox
    assert config.callbridge.meeting_origin == SANDBOX_ORIGIN
    assert config.hosts["marketing"].access_code == "1234567"


def test_defaults(tmp_path: Path) -> None:
    write_tree(tmp_path, {"site.toml": "[site]\ntitle = 'T'\nbase_url = 'https://x.example/'\n"})
    config = load_config(tmp_path, {})
    assert config.site.base_url == "https://x.example"
    assert config.site.time_zone == "UTC"
    assert config.site.output_dir == "public"
    assert config.callbridge.api == "sandbox"
    assert config.markdown.unsafe_html is False


def test_meeting_origin_defaults_to_the_api_host(tmp_path: Path) -> None:
    text = BASE_CONFIG.replace('domain = "meet.test.example"\n', "").replace(
        'api = "sandbox"', 'api = "acme-admin.acme.example"'
    )
    write_tree(tmp_path, {"site.toml": text})
    config = load_config(tmp_path, {})
    assert config.callbridge.api == "https://acme-admin.acme.example"
    assert config.callbridge.meeting_origin == "https://acme-admin.acme.example"


def test_unknown_key_in_a_host(tmp_path: Path) -> None:
    text = BASE_CONFIG + 'acces_code = "7654321"\n'
    assert config_problems(tmp_path, text) == [
        "site.toml:15: unknown key 'hosts.marketing.acces_code' (did you mean 'access_code'?)"
    ]


def test_unknown_section(tmp_path: Path) -> None:
    text = BASE_CONFIG + "\n[host.sales]\nname = 'x'\n"
    assert config_problems(tmp_path, text) == [
        "site.toml:16: unknown key 'host' (did you mean 'hosts'?)"
    ]


def test_wrong_type(tmp_path: Path) -> None:
    text = BASE_CONFIG.replace("host_id = 3", 'host_id = "three"')
    assert config_problems(tmp_path, text) == [
        "site.toml:13: hosts.marketing.host_id: expected a whole number, got the text 'three'"
    ]


def test_bad_time_zone(tmp_path: Path) -> None:
    text = BASE_CONFIG.replace("America/Toronto", "America/Torronto")
    (problem,) = config_problems(tmp_path, text)
    assert problem.startswith(
        "site.toml:4: site.time_zone: unknown time zone 'America/Torronto' "
        "(did you mean 'America/Toronto'?)"
    )


def test_plain_http_api_refused_unless_loopback(tmp_path: Path) -> None:
    text = BASE_CONFIG.replace('api = "sandbox"', 'api = "http://admin.acme.example"')
    assert config_problems(tmp_path, text) == [
        "site.toml:7: callbridge.api: 'http://admin.acme.example' uses plain http: only https "
        "is allowed, except for loopback addresses"
    ]
    write_tree(
        tmp_path,
        {"site.toml": BASE_CONFIG.replace('api = "sandbox"', 'api = "http://127.0.0.1:8001"')},
    )
    assert load_config(tmp_path, {}).callbridge.api == "http://127.0.0.1:8001"


def test_environment_overrides_api(tmp_path: Path) -> None:
    write_tree(tmp_path, {"site.toml": BASE_CONFIG})
    config = load_config(tmp_path, {"CALLBRIDGE_API": "https://prod-admin.acme.example"})
    assert config.callbridge.api == "https://prod-admin.acme.example"
    assert config_problems(tmp_path, BASE_CONFIG, {"CALLBRIDGE_API": "http://x.example"}) == [
        "CALLBRIDGE_API (environment): callbridge.api: 'http://x.example' uses plain http: "
        "only https is allowed, except for loopback addresses"
    ]


def test_host_needs_a_room_or_create(tmp_path: Path) -> None:
    text = BASE_CONFIG + "\n[hosts.sales]\nname = 'Sales'\n"
    assert config_problems(tmp_path, text) == [
        "site.toml:16: give the existing host's access_code (and host_id to schedule "
        "webinars), or create = true"
    ]


def test_create_options_only_with_create(tmp_path: Path) -> None:
    text = BASE_CONFIG + 'role = "HOST"\n'
    assert config_problems(tmp_path, text) == ["site.toml:15: role applies only with create = true"]


def test_host_company_must_be_defined(tmp_path: Path) -> None:
    text = BASE_CONFIG + (
        "\n[hosts.joe]\nname = 'Joe'\nemail = 'joe@joe.example'\ncreate = true\ncompany = 'joe'\n"
    )
    assert config_problems(tmp_path, text) == [
        "site.toml:20: unknown company 'joe': define it as [companies.joe]"
    ]


def test_invalid_toml(tmp_path: Path) -> None:
    assert config_problems(tmp_path, "[site]\ntitle = 'T\n") == [
        'site.toml:2: invalid TOML: Expected "\'"'
    ]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as caught:
        load_config(tmp_path, {})
    assert str(caught.value).startswith("site.toml: not found in ")


@pytest.mark.parametrize("value", ["../out", "/tmp/out", "content", "."])
def test_output_dir_stays_inside_the_site(tmp_path: Path, value: str) -> None:
    text = BASE_CONFIG.replace('time_zone = "America/Toronto"', f'output_dir = "{value}"')
    (problem,) = config_problems(tmp_path, text)
    assert problem.startswith("site.toml:4: site.output_dir: ")
