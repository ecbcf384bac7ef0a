"""[integrations], [security.csp], [deploy], registration forms: composed, rendered, refused.

The policy is composed from what the site declares and nothing else; each
preset adds exactly its own sources; bad input is reported all at once at
its line with nothing written; check and build name each external resource
the policy would block, at its file and line.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from site_gen.cli import main
from site_gen.commands.build import BuildOptions, build
from site_gen.commands.check import CheckOptions, check
from site_gen.errors import ValidationFailed
from site_gen.render.headers import Csp, content_security_policy, site_headers
from site_gen.structure.site import load_site
from tests.helpers import BASE_CONFIG, NOW, SiteFactory, snapshot, soup, unhashed

MEETING = "https://meet.test.example"


def run(root: Path) -> Path:
    build(root, BuildOptions(now=NOW, environ={}))
    return root / "public"


def policy(root: Path) -> Csp:
    site = load_site(root, environ={})
    return site_headers(site.config, site.pages).csp


def extra(directive: str, csp: Csp) -> set[str]:
    """The sources a directive has beyond the strict default's."""
    default = Csp.parse(content_security_policy(MEETING))
    return set(csp.sources(directive)) - set(default.sources(directive))


# The policy, composed -----------------------------------------------------------------


def test_the_default_policy_stays_strict(make_site: SiteFactory) -> None:
    csp = policy(make_site())
    assert csp.sources("script-src") == ("'self'",)
    assert csp.sources("frame-src") == (MEETING,)
    assert csp.sources("form-action") == ("'self'",)
    assert "'unsafe-inline'" not in csp.text()


def test_security_csp_adds_sources_per_directive(make_site: SiteFactory) -> None:
    root = make_site(config=BASE_CONFIG + """
[security.csp]
script_src = ["https://js.hsforms.net"]
frame_src = ["https://www.youtube-nocookie.com", "https://player.vimeo.com"]
form_action = ["https://forms.hubspot.com"]
media_src = ["https://media.acme.example/video/"]
""")
    csp = policy(root)
    assert extra("script-src", csp) == {"https://js.hsforms.net"}
    assert csp.sources("frame-src") == (
        MEETING, "https://www.youtube-nocookie.com", "https://player.vimeo.com"
    )
    assert extra("form-action", csp) == {"https://forms.hubspot.com"}
    assert extra("media-src", csp) == {"https://media.acme.example/video/"}
    assert extra("connect-src", csp) == set()
    headers = (run(root) / "_headers").read_text()
    assert f"Content-Security-Policy: {csp.text()}\n" in headers


PRESETS = {
    'provider = "plausible"\nsite_id = "live.test.example"': {
        "script-src": {"https://plausible.io"}, "connect-src": {"https://plausible.io"},
    },
    'provider = "plausible"\nsite_id = "x"\norigin = "https://stats.acme.example"': {
        "script-src": {"https://stats.acme.example"},
        "connect-src": {"https://stats.acme.example"},
    },
    'provider = "fathom"\nsite_id = "ABCDEF"': {
        "script-src": {"https://cdn.usefathom.com"}, "connect-src": {"https://cdn.usefathom.com"},
    },
    'provider = "umami"\nsite_id = "4fb7"': {
        "script-src": {"https://cloud.umami.is"}, "connect-src": {"https://gateway.umami.is"},
    },
    'provider = "umami"\nsite_id = "4fb7"\norigin = "https://umami.acme.example"': {
        "script-src": {"https://umami.acme.example"},
        "connect-src": {"https://umami.acme.example"},
    },
    'provider = "matomo"\nsite_id = "3"\norigin = "https://acme.matomo.cloud"': {
        "script-src": {"https://acme.matomo.cloud"},
        "connect-src": {"https://acme.matomo.cloud"},
    },
    'provider = "google"\nsite_id = "G-ABC123"': {
        "script-src": {"https://www.googletagmanager.com"},
        "connect-src": {
            "https://*.google-analytics.com", "https://*.analytics.google.com",
            "https://*.googletagmanager.com",
        },
    },
}


@pytest.mark.parametrize("preset", PRESETS)
def test_each_preset_adds_exactly_its_sources(make_site: SiteFactory, preset: str) -> None:
    root = make_site(config=BASE_CONFIG + f"\n[integrations.analytics]\n{preset}\n")
    csp = policy(root)
    for directive in ("script-src", "connect-src", "frame-src", "form-action", "style-src",
                      "font-src", "media-src"):
        assert extra(directive, csp) == PRESETS[preset].get(directive, set()), directive


def test_cookieless_presets_load_directly(make_site: SiteFactory) -> None:
    root = make_site(config=BASE_CONFIG + (
        '\n[integrations.analytics]\nprovider = "plausible"\nsite_id = "live.test.example"\n'
    ))
    html = soup(run(root) / "office-hours/index.html")
    script = html.find("script", src="https://plausible.io/js/script.js")
    assert script is not None and script["data-domain"] == "live.test.example"
    assert html.select_one("[data-consent-banner]") is None
    assert html.select_one("[data-consent-open]") is None


def test_ga4_is_configured_by_a_generated_file_and_waits_for_consent(
    make_site: SiteFactory,
) -> None:
    root = make_site(config=BASE_CONFIG + (
        '\n[integrations.analytics]\nprovider = "google"\nsite_id = "G-ABC123"\n'
    ))
    out = run(root)
    config_js = (out / "assets/site-gen-analytics.js").read_text()
    assert "window.gtag('config', \"G-ABC123\");" in config_js
    html = soup(out / "office-hours/index.html")
    assert not html.find_all("script", string=True), "no inline script"
    gated = [s["data-consent-src"] for s in html.select("script[data-consent-src]")]
    assert [unhashed(src) for src in gated] == [
        "/assets/site-gen-analytics.js", "https://www.googletagmanager.com/gtag/js?id=G-ABC123",
    ]
    assert (out / gated[0].lstrip("/")).read_text() == config_js  # its content-named copy
    assert all(s["type"] == "text/plain" for s in html.select("script[data-consent-src]"))
    assert html.select_one("[data-consent-banner]")["hidden"] == ""
    assert html.select_one("button[data-consent-open]").get_text() == "Cookie settings"


def test_consent_banner_never_and_always(make_site: SiteFactory) -> None:
    base = BASE_CONFIG + '\n[integrations.analytics]\nprovider = "{p}"\nsite_id = "{i}"\n'
    never = make_site(config=base.format(p="google", i="GTM-AB12") + (
        '\n[integrations.consent]\nbanner = "never"\n'
    ))
    html = soup(run(never) / "office-hours/index.html")
    assert html.find("script", src="https://www.googletagmanager.com/gtm.js?id=GTM-AB12")
    assert html.select_one("[data-consent-banner]") is None
    always = make_site(config=base.format(p="plausible", i="x.example") + (
        '\n[integrations.consent]\nbanner = "always"\n'
    ))
    html = soup(run(always) / "office-hours/index.html")
    assert html.select_one("script[data-consent-src]")["data-consent-src"].startswith(
        "https://plausible.io/"
    )
    assert html.select_one("[data-consent-banner]") is not None


# Headers on every host -------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["file", "meta", "both"])
def test_deploy_headers_file_meta_or_both(make_site: SiteFactory, mode: str) -> None:
    root = make_site(config=BASE_CONFIG + f'\n[deploy]\nheaders = "{mode}"\n')
    out = run(root)
    assert (out / "_headers").exists() == (mode != "meta")
    meta = soup(out / "office-hours/index.html").find(
        "meta", attrs={"http-equiv": "Content-Security-Policy"}
    )
    if mode == "file":
        assert meta is None
        return
    assert meta is not None
    csp = policy(root)
    assert meta["content"] == csp.text(meta=True)
    assert "frame-ancestors" not in meta["content"]
    assert Csp.parse(meta["content"]).sources("script-src") == csp.sources("script-src")
    for page in ("index.html", "404.html"):
        assert soup(out / page).find("meta", attrs={"http-equiv": "Content-Security-Policy"})


# Bad input: all at once, located, nothing written ---------------------------------------------


def test_bad_integrations_are_reported_at_once_with_lines(make_site: SiteFactory) -> None:
    config = BASE_CONFIG + """
[integrations.analytics]
provider = "plausibel"
site_id = "x"
origin = "http://stats.acme.example"

[security.csp]
script_src = ["'unsafe-inline'", "https://ok.example"]
frme_src = ["https://www.youtube.com"]
connect_src = ["not a url"]

[registration]
url = "http://forms.example.com/f/1"
fields = ["name", {name = "role", type = "text"}, "emial"]
"""
    root = make_site(config=config)
    out = run(make_site(config=BASE_CONFIG))
    before = snapshot(out)
    root.joinpath("site.toml").write_text(config)
    with pytest.raises(ValidationFailed) as failed:
        build(root, BuildOptions(now=NOW, environ={}))
    lines = {(p.line, p.message) for p in failed.value.problems}
    text = config.splitlines()

    def line(start: str) -> int:
        return next(i for i, t in enumerate(text, 1) if t.startswith(start))

    assert (line("provider"), "integrations.analytics.provider: 'plausibel' is not one of "
            "'plausible', 'fathom', 'umami', 'matomo', 'google' (did you mean 'plausible'?)") \
        in lines
    assert any(n == line("origin") and "plain http" in m for n, m in lines)
    assert any(n == line("script_src") and "'unsafe-inline'" in m and "not allowed" in m
               for n, m in lines)
    assert any(n == line("frme_src") and "did you mean 'frame_src'" in m for n, m in lines)
    assert any(n == line("connect_src") and "not a source" in m for n, m in lines)
    assert any(n == line("url") and "is not an https URL" in m for n, m in lines)
    assert any(n == line("fields") and "field 'role' needs a label" in m for n, m in lines)
    assert any(n == line("fields") and "unknown field 'emial' (did you mean 'email'?)" in m
               for n, m in lines)
    assert snapshot(out) == before, "a failed build leaves the previous output"


def test_a_page_form_incomplete_after_defaults_is_an_error_at_its_line(
    make_site: SiteFactory,
) -> None:
    root = make_site({"content/q.md": "---\ntitle: Q\nhost: marketing\nregistration: true\n---\n"})
    with pytest.raises(ValidationFailed) as failed:
        load_site(root, environ={})
    (problem,) = failed.value.problems
    assert (problem.path, problem.line) == ("content/q.md", 4)
    assert "provider url needs url" in problem.message


# Registration forms ----------------------------------------------------------------------------

FORM_CONFIG = BASE_CONFIG + """
[registration]
provider = "url"
url = "https://forms.example.com/f/123"

[theme]
footer = [{label = "Privacy policy", url = "/privacy/"}]
"""

FORM_PAGE = """\
---
title: Launch
host: marketing
registration:
  fields:
    - name
    - email
    - {name: team_size, label: "Team size", type: select, options: ["1-10", "11+"], required: true}
  consent: true
  required: true
---
Body.
"""


def test_a_registration_form_and_its_thank_you_page(make_site: SiteFactory) -> None:
    root = make_site({"content/launch.md": FORM_PAGE}, config=FORM_CONFIG)
    out = run(root)
    landing = soup(out / "launch/index.html")
    form = landing.select_one("form[data-registration]")
    assert form["action"] == "https://forms.example.com/f/123" and form["method"] == "post"
    hidden = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    assert hidden == {
        "event": "launch", "event_title": "Launch", "event_start": "",
        "page_url": "https://live.test.example/launch/",
        "utm_source": "", "utm_medium": "", "utm_campaign": "", "utm_term": "", "utm_content": "",
    }
    assert form.select_one("#register-name")["required"] == ""
    assert form.select_one("#register-email")["type"] == "email"
    select = form.select_one("select#register-team_size")
    assert [o.get_text() for o in select.select("option")][1:] == ["1-10", "11+"]
    consent = form.select_one("label[for=register-consent] a")
    assert consent["href"] == "/privacy/"
    for field in form.select("input:not([type=hidden]), select"):
        described = field.get("aria-describedby")
        if field.get("name") != "bot-field":
            assert described and form.select_one(f"#{described}") is not None
    # required: the room is on the thank-you page only.
    assert landing.select_one("iframe") is None and landing.select_one("template") is None
    thanks = soup(out / "launch/registered/index.html")
    assert thanks.select_one("iframe") is not None
    assert thanks.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert thanks.select_one("form") is None
    assert "/launch/registered/" not in (out / "sitemap.xml").read_text()
    csp = policy(root)
    assert extra("form-action", csp) == {"https://forms.example.com"}
    assert extra("connect-src", csp) == {"https://forms.example.com"}


def test_netlify_forms_have_their_attributes_and_a_honeypot(make_site: SiteFactory) -> None:
    page = "---\ntitle: N\nhost: marketing\nregistration: {provider: netlify}\n---\n"
    # The site's default endpoint is for url forms: a netlify page does not inherit it.
    out = run(make_site({"content/n.md": page}, config=FORM_CONFIG))
    form = soup(out / "n/index.html").select_one("form")
    assert form["data-netlify"] == "true" and form["netlify-honeypot"] == "bot-field"
    assert form["name"] == "registration-n" and form["action"] == "/n/registered/"
    assert form.select_one("input[name=form-name]")["value"] == "registration-n"
    assert form.select_one("input[name=bot-field]") is not None
    assert soup(out / "n/index.html").select_one("iframe") is not None  # not required


# Blocked resources, at their lines -----------------------------------------------------------


def test_check_names_each_blocked_resource_at_its_line(make_site: SiteFactory) -> None:
    root = make_site({
        "templates/partials/head-extra.html": (
            '<link rel="stylesheet" href="/ok.css">\n'
            '<script src="https://cdn.other.example/widget.js" defer></script>\n'
            '<link href="https://fonts.googleapis.com/css2?family=Inter" rel="stylesheet">\n'
        ),
        "static/css/brand.css": "a{}\n@font-face { src: url(https://fonts.gstatic.com/a.woff2) }\n",
        "content/video.md": (
            "---\ntitle: Video\nhost: marketing\n---\nText.\n\n"
            '<iframe src="https://www.youtube-nocookie.com/embed/x"></iframe>\n'
            '<form action="https://forms.hubspot.com/u/1" method="post"></form>\n'
        ),
    }, config=BASE_CONFIG + "\n[markdown]\nunsafe_html = true\n")
    found = {(p.path, p.line, p.message.split(" is blocked")[0]) for p in check(root).warnings}
    assert ("templates/partials/head-extra.html", 2, "a <script> from https://cdn.other.example") \
        in found
    assert ("templates/partials/head-extra.html", 3,
            "a <link rel=stylesheet> from https://fonts.googleapis.com") in found
    assert ("static/css/brand.css", 2, "a font from https://fonts.gstatic.com") in found
    assert ("content/video.md", 7, "a <iframe> from https://www.youtube-nocookie.com") in found
    assert ("content/video.md", 8, "a <form> from https://forms.hubspot.com") in found
    messages = [p.message for p in check(root).warnings if p.path == "content/video.md"]
    assert any("add 'https://www.youtube-nocookie.com' to [security.csp] frame_src" in m
               for m in messages)
    report = build(root, BuildOptions(now=NOW, environ={}))
    assert {(w.path, w.line) for w in report.warnings} >= {
        ("templates/partials/head-extra.html", 2), ("content/video.md", 7)
    }
    # Declared, they are no longer reported.
    root.joinpath("site.toml").write_text(BASE_CONFIG + """
[markdown]
unsafe_html = true
[security.csp]
script_src = ["https://cdn.other.example"]
style_src = ["https://fonts.googleapis.com"]
font_src = ["https://fonts.gstatic.com"]
frame_src = ["https://*.youtube-nocookie.com", "https://www.youtube-nocookie.com"]
form_action = ["https://forms.hubspot.com/u/"]
""")
    assert [p for p in check(root).warnings if "Content-Security-Policy" in p.message] == []


# site-gen headers -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["netlify", "nginx", "caddy", "vercel", "firebase"])
def test_headers_command_prints_every_format(make_site: SiteFactory, fmt: str) -> None:
    root = make_site(config=BASE_CONFIG + '\n[security.csp]\nscript_src = ["https://a.example"]\n')
    result = CliRunner().invoke(main, ["headers", str(root), "--format", fmt])
    assert result.exit_code == 0, result.output
    assert "script-src 'self' https://a.example;" in result.output
    if fmt in ("vercel", "firebase"):
        json.loads(result.output)


def test_headers_command_reports_bad_config(make_site: SiteFactory) -> None:
    root = make_site(config=BASE_CONFIG + '\n[deploy]\nheaders = "metta"\n')
    result = CliRunner().invoke(main, ["headers", str(root)])
    assert result.exit_code == 1
    assert "deploy.headers: 'metta' is not one of 'file', 'meta', 'both' (did you mean 'meta'?)" \
        in result.output


# docs/deploying.md shows generated snippets -------------------------------------------------

DEPLOYING = Path(__file__).resolve().parents[1] / "docs/deploying.md"
SNIPPET = re.compile(r"(<!-- site-gen headers --format (\w+) -->\n```\w*\n)(.*?)(```)", re.S)


def test_deploying_md_shows_what_site_gen_headers_prints(make_site: SiteFactory) -> None:
    """Every host's snippet in the guide is the command's output for the guide's example.

    ``SITE_GEN_UPDATE_DOCS=1`` rewrites them after a change to the printers.
    """
    text = DEPLOYING.read_text()
    example = re.search(r"<!-- headers-example -->\n```toml\n(.*?)```", text, re.S)
    assert example is not None
    root = make_site(config='[site]\ntitle = "Acme Live"\nbase_url = "https://live.acme.example"\n'
                     + example.group(1), with_default_page=False)

    def generated(match: re.Match[str]) -> str:
        output = CliRunner().invoke(main, ["headers", str(root), "--format", match.group(2)])
        assert output.exit_code == 0, output.output
        return match.group(1) + output.output + match.group(4)

    formats = [m.group(2) for m in SNIPPET.finditer(text)]
    assert sorted(formats) == ["caddy", "firebase", "netlify", "nginx", "vercel"]
    fresh = SNIPPET.sub(generated, text)
    if os.environ.get("SITE_GEN_UPDATE_DOCS"):
        DEPLOYING.write_text(fresh)
    assert fresh == text, "docs/deploying.md: snippets differ (SITE_GEN_UPDATE_DOCS=1 rewrites)"


# The preview: a form's origin reaches every page's policy ---------------------------------------


def test_the_preview_follows_a_changed_form_origin_on_every_page(make_site: SiteFactory) -> None:
    from bs4 import BeautifulSoup

    from site_gen.preview import PreviewSite

    form = "---\ntitle: F\nhost: marketing\nregistration: {{url: '{url}'}}\n---\n"
    root = make_site(
        {"content/f.md": form.format(url="https://one.example/f")},
        config=BASE_CONFIG + '\n[deploy]\nheaders = "meta"\n',
    )
    site = PreviewSite(root, environ={}, clock=lambda: NOW)
    site.build()

    def meta(rel: str) -> str:
        page = BeautifulSoup(site.files[rel].data().decode(), "html.parser")
        tag = page.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert tag is not None
        return str(tag["content"])

    assert "form-action 'self' https://one.example" in meta("office-hours/index.html")
    path = root / "content/f.md"
    path.write_text(form.format(url="https://two.example/f"))
    site.update([path])
    for rel in ("office-hours/index.html", "f/index.html", "f/registered/index.html"):
        policy = meta(rel)
        assert "form-action 'self' https://two.example" in policy, rel
        assert "one.example" not in policy, rel


def test_a_form_without_a_privacy_link_is_a_warning_and_an_ended_webinar_hides_its_form(
    make_site: SiteFactory,
) -> None:
    from tests.helpers import pin_webinars
    from tests.webinars import webinar

    ended = webinar("Old", start="2026-11-02 10:00", extra="registration: {consent: true}\n")
    config = FORM_CONFIG.replace("Privacy policy", "Legal")
    root = make_site({"content/old.md": ended}, config=config)
    pin_webinars(root)
    (warning,) = [w for w in check(root, CheckOptions(now=NOW)).warnings if "consent" in w.message]
    assert (warning.path, warning.line) == ("content/old.md", 7)
    assert "no link labelled 'Privacy'" in warning.message
    section = soup(run(root) / "old/index.html").select_one("section.registration")
    assert section["data-event-show"] == "upcoming open live"
    assert section.has_attr("hidden")
