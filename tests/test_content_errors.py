"""The error catalogue: each bad input gets one exact, located message."""

from __future__ import annotations

import pytest

from site_gen.errors import ValidationFailed
from site_gen.structure.site import load_site
from tests.helpers import SiteFactory


def problems_for(make_site: SiteFactory, text: str | bytes, **files: str) -> list[str]:
    root = make_site({"content/q1-launch.md": text, **files}, with_default_page=False)
    with pytest.raises(ValidationFailed) as caught:
        load_site(root, environ={})
    return [str(p) for p in caught.value.problems]


def test_missing_title(make_site: SiteFactory) -> None:
    assert problems_for(make_site, "---\nhost: marketing\n---\nbody\n") == [
        "content/q1-launch.md:1: missing required key 'title'"
    ]


def test_unknown_key_suggests_the_right_one(make_site: SiteFactory) -> None:
    text = "---\ntitle: Q1\nhost: marketing\nembed:\n  skipjoin: true\n---\n"
    assert problems_for(make_site, text) == [
        "content/q1-launch.md:5: unknown key 'embed.skipjoin' (did you mean 'skip_join'?)"
    ]


def test_wrong_type(make_site: SiteFactory) -> None:
    text = "---\ntitle: Q1\nhost: marketing\ndraft: maybe\n---\n"
    assert problems_for(make_site, text) == [
        "content/q1-launch.md:4: draft: expected true or false, got the text 'maybe'"
    ]


def test_misspelt_kind(make_site: SiteFactory) -> None:
    text = "---\ntitle: Q1\nkind: webniar\nhost: marketing\n---\n"
    assert problems_for(make_site, text) == [
        "content/q1-launch.md:3: kind: 'webniar' is not one of 'room', 'webinar', "
        "'livestream', 'watch_party' (did you mean 'webinar'?)"
    ]


def test_mute_video(make_site: SiteFactory) -> None:
    text = "---\ntitle: Q1\nhost: marketing\nembed:\n  mute: [video]\n---\n"
    assert problems_for(make_site, text) == [
        "content/q1-launch.md:5: embed.mute[0]: 'video' is not one of 'camera', 'mic'"
    ]


def test_view_grid(make_site: SiteFactory) -> None:
    text = "---\ntitle: Q1\nhost: marketing\nembed:\n  view: grid\n---\n"
    assert problems_for(make_site, text) == [
        "content/q1-launch.md:5: embed.view: 'grid' is not one of 'gallery', "
        "'bottom_speaker', 'left_side_speaker'"
    ]


def test_unknown_host(make_site: SiteFactory) -> None:
    text = "---\ntitle: Q1\nhost: marketting\n---\n"
    assert problems_for(make_site, text) == [
        "content/q1-launch.md:3: unknown host 'marketting' (did you mean 'marketing'?)"
    ]


def test_duplicate_slug_from_two_files(make_site: SiteFactory) -> None:
    page = "---\ntitle: Q1\nhost: marketing\nslug: launch\n---\n"
    assert problems_for(make_site, page, **{"content/other.md": page}) == [
        "content/q1-launch.md:4: duplicate slug 'launch': content/other.md has it already"
    ]


def test_slug_escaping_the_output(make_site: SiteFactory) -> None:
    text = "---\ntitle: Q1\nhost: marketing\nslug: ../../etc\n---\n"
    assert problems_for(make_site, text) == [
        "content/q1-launch.md:4: slug: '../../etc' is not a valid slug: use letters, digits, "
        "'-', '_' and '.' in segments separated by '/', such as 'webinars/q1-launch'"
    ]


def test_javascript_leave_url(make_site: SiteFactory) -> None:
    text = "---\ntitle: Q1\nhost: marketing\non_leave:\n  left: javascript:alert(1)\n---\n"
    assert problems_for(make_site, text) == [
        "content/q1-launch.md:5: on_leave.left: 'javascript:alert(1)' is not allowed: "
        "use a path such as '/thanks/' or an https:// URL"
    ]


def test_unterminated_front_matter(make_site: SiteFactory) -> None:
    assert problems_for(make_site, "---\ntitle: Q1\nhost: marketing\n\nBody text\n") == [
        "content/q1-launch.md:1: front matter opened with '---' on line 1 is never closed "
        "by a '---' line"
    ]


def test_invalid_yaml(make_site: SiteFactory) -> None:
    text = "---\ntitle: Q1\nhost: [marketing\n---\n"
    (problem,) = problems_for(make_site, text)
    assert problem.startswith("content/q1-launch.md:4: invalid YAML: ")


def test_not_utf8(make_site: SiteFactory) -> None:
    text = "---\ntitle: Caf\xe9\n---\n".encode("latin-1")
    assert problems_for(make_site, text) == [
        "content/q1-launch.md:2: is not UTF-8 text: save it as UTF-8 (invalid continuation byte)"
    ]


def test_unknown_time_zone(make_site: SiteFactory) -> None:
    text = (
        "---\ntitle: Q1\nkind: webinar\nhost: marketing\nstart: 2027-01-15 16:00\n"
        "time_zone: Mars/Olympus\nduration: 60\n---\n"
    )
    (problem,) = problems_for(make_site, text)
    assert problem.startswith("content/q1-launch.md:6: time_zone: unknown time zone 'Mars/Olympus'")
    assert "use an IANA name such as 'America/Toronto'" in problem


def test_zero_duration(make_site: SiteFactory) -> None:
    text = (
        "---\ntitle: Q1\nkind: webinar\nhost: marketing\n"
        "start: 2027-01-15 16:00\nduration: 0\n---\n"
    )
    assert problems_for(make_site, text) == [
        "content/q1-launch.md:6: duration: must be greater than 0"
    ]


def test_every_problem_of_every_file_at_once(make_site: SiteFactory) -> None:
    root = make_site(
        {
            "content/a.md": "---\ntitle: A\nhost: nobody\n---\n",
            "content/b.md": "---\nhost: marketing\nkind: party\n---\n",
            "site.toml": "[site]\ntitle = 'T'\nbase_url = 'https://x.example'\ntimezone = 'UTC'\n",
        },
        with_default_page=False,
    )
    with pytest.raises(ValidationFailed) as caught:
        load_site(root, environ={})
    assert [str(p) for p in caught.value.problems] == [
        "content/b.md:1: missing required key 'title'",
        "content/b.md:3: kind: 'party' is not one of 'room', 'webinar', 'livestream', "
        "'watch_party' (did you mean 'watch_party'?)",
        "site.toml:4: unknown key 'site.timezone' (did you mean 'time_zone'?)",
    ]


def test_toml_front_matter_errors_have_lines(make_site: SiteFactory) -> None:
    text = '+++\ntitle = "Q1"\nhost = "marketing"\n[embed]\nview = "grid"\n+++\n'
    assert problems_for(make_site, text) == [
        "content/q1-launch.md:5: embed.view: 'grid' is not one of 'gallery', "
        "'bottom_speaker', 'left_side_speaker'"
    ]


def test_duplicate_yaml_key(make_site: SiteFactory) -> None:
    text = "---\ntitle: Q1\nhost: marketing\ntitle: Q2\n---\n"
    assert problems_for(make_site, text) == [
        "content/q1-launch.md:4: invalid YAML: duplicate key 'title' (first written on line 2)"
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("data:text/html,hi", "'data:text/html,hi' is not allowed"),
        ("//evil.example/x", "'//evil.example/x' is a protocol-relative URL"),
        ("http://evil.example/", "'http://evil.example/' is not allowed"),
    ],
)
def test_unsafe_urls_refused(make_site: SiteFactory, value: str, message: str) -> None:
    text = f"---\ntitle: Q1\nhost: marketing\nimage: '{value}'\n---\n"
    (problem,) = problems_for(make_site, text)
    assert problem.startswith(f"content/q1-launch.md:4: image: {message}")


def test_webinar_keys_on_a_room(make_site: SiteFactory) -> None:
    text = "---\ntitle: Q1\nhost: marketing\nduration: 30\n---\n"
    assert problems_for(make_site, text) == [
        "content/q1-launch.md:4: 'duration' applies only to kind: webinar (this is a room)"
    ]


def test_security_pin_must_be_quoted_text(make_site: SiteFactory) -> None:
    text = (
        "---\ntitle: Q1\nkind: webinar\nhost: marketing\nstart: 2027-01-15 16:00\n"
        "duration: 30\nsecurity_pin: 123456\n---\n"
    )
    assert problems_for(make_site, text) == [
        "content/q1-launch.md:7: security_pin: expected text, got the number 123456: "
        "put it in quotes"
    ]


def test_stream_of_unknown(make_site: SiteFactory) -> None:
    text = "---\ntitle: Live\nkind: livestream\nstream_of: q1-lanch\n---\n"
    (problem,) = problems_for(make_site, text)
    assert problem == (
        "content/q1-launch.md:4: stream_of: 'q1-lanch' is neither a webinar's slug nor a "
        "host key (did you mean 'q1-launch'?)"
    ) or problem.startswith("content/q1-launch.md:4: stream_of: 'q1-lanch' is neither")
