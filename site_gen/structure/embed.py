"""Iframes exactly as the platform documents them.

The guide's "Customizing the meeting room" lists the URL parameters a room
understands; iotum's embed SDK adds ``res``, ``tiles``, ``audio_level`` and
``events=true`` (without which the room posts no events to the page). Only
those go into a query string, in a fixed order, URL-encoded; nothing from
the author's text can add another parameter or change the path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote, urlencode

if TYPE_CHECKING:
    from site_gen.config.front_matter import Embed

__all__ = [
    "ALLOW_LIVESTREAM",
    "ALLOW_MEETING",
    "Frame",
    "livestream_frame",
    "meeting_frame",
    "meeting_query",
]

#: The guide's list plus display-capture, without which screen sharing fails
#: inside a frame (iotum's SDK sets the same).
ALLOW_MEETING = "camera;microphone;fullscreen;autoplay;display-capture"
ALLOW_LIVESTREAM = "fullscreen;autoplay"


@dataclass(frozen=True)
class Frame:
    """One iframe: what the template writes and the event script checks."""

    kind: Literal["meeting", "livestream"]
    src: str
    allow: str
    #: The page's title as resolved; the renderer replaces it with the frame's
    #: accessible name in the page's language ("Titre : salle vidéo").
    title: str
    origin: str
    strip_layout: bool = False


def _flag(value: bool) -> str:
    return "true" if value else "false"


def meeting_query(embed: Embed, *, strip_layout: bool | None = None) -> list[tuple[str, str]]:
    """The room's query parameters, in the guide's order, only those set."""
    params: list[tuple[str, str]] = []
    if embed.name is not None:
        params.append(("name", embed.name))
    if embed.skip_join is not None:
        params.append(("skip_join", _flag(embed.skip_join)))
    if embed.observer is not None:
        params.append(("observer", _flag(embed.observer)))
    if embed.mute:
        params.append(("mute", ",".join(embed.mute)))
    if embed.view is not None:
        params.append(("view", embed.view))
    strip = embed.strip_layout if strip_layout is None else strip_layout
    if strip is not None:
        params.append(("strip_layout", _flag(strip)))
    if embed.res is not None:
        params.append(("res", str(embed.res)))
    if embed.tiles is not None:
        params.append(("tiles", str(embed.tiles)))
    if embed.audio_level is not None:
        params.append(("audio_level", _flag(embed.audio_level)))
    params.append(("events", "true"))
    return params


def meeting_frame(
    origin: str, access_code: str, embed: Embed, *, title: str, watch_party: bool = False
) -> Frame:
    """The room iframe; a watch party is always a strip (the guide's watch-party layout)."""
    params = meeting_query(embed, strip_layout=True if watch_party else None)
    # quote_via=quote keeps spaces as %20 (unambiguous everywhere) and the
    # comma of "camera,mic" literal, as the guide writes it.
    query = urlencode(params, quote_via=quote, safe=",")
    src = f"{origin}/conf/call/{quote(access_code, safe='')}?{query}"
    strip = dict(params).get("strip_layout") == "true"
    return Frame("meeting", src, ALLOW_MEETING, title, origin, strip_layout=strip)


def livestream_frame(origin: str, access_code: str, *, title: str) -> Frame:
    """The live-stream player of the room with ``access_code``."""
    src = f"{origin}/livestream/{quote(access_code, safe='')}"
    return Frame("livestream", src, ALLOW_LIVESTREAM, title, origin)
