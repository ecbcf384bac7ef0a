"""The iframe URL builder: documented parameters only, properly encoded."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from site_gen.config.front_matter import Embed
from site_gen.structure.embed import ALLOW_MEETING, livestream_frame, meeting_frame


def test_only_events_when_nothing_is_set() -> None:
    frame = meeting_frame("https://meet.acme.example", "1234567", Embed(), title="Room")
    assert frame.src == "https://meet.acme.example/conf/call/1234567?events=true"
    assert frame.allow == ALLOW_MEETING
    assert not frame.strip_layout


def test_hostile_name_cannot_add_parameters() -> None:
    name = 'x&observer=true#"><script>alert(1)</script>'
    frame = meeting_frame("https://m.example", "1234567", Embed(name=name), title="Room")
    parts = urlsplit(frame.src)
    assert parts.fragment == ""
    assert parse_qsl(parts.query) == [("name", name), ("events", "true")]


def test_mute_keeps_the_documented_comma() -> None:
    frame = meeting_frame("https://m.example", "1", Embed(mute=["camera", "mic"]), title="R")
    assert "mute=camera,mic" in frame.src


def test_watch_party_forces_strip_layout() -> None:
    frame = meeting_frame(
        "https://m.example", "1", Embed(strip_layout=False), title="R", watch_party=True
    )
    assert dict(parse_qsl(urlsplit(frame.src).query))["strip_layout"] == "true"
    assert frame.strip_layout


def test_livestream_has_no_room_parameters() -> None:
    frame = livestream_frame("https://m.example", "1234567", title="Live")
    assert frame.src == "https://m.example/livestream/1234567"
    assert frame.allow == "fullscreen;autoplay"
