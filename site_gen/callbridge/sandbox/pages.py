"""The HTML a browser loads from the sandbox: a simulated room, a player, the SSO result.

The room shows every iframe parameter it understood, as text and as
``data-testid`` attributes, so a browser test can check that a page built
by site-gen asked for what its front matter says. Its buttons post the
guide's ``{type: 'iotumLeaveCallEvent', reason}`` to the parent page.
Every value is escaped; nothing from the query string reaches the script.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from .state import Room

__all__ = ["ROOM_PARAMETERS", "error_page", "index_page", "livestream_page", "room_page"]

#: The guide's parameters plus those iotum's embed SDK documents.
ROOM_PARAMETERS = (
    "name", "skip_join", "observer", "mute", "view", "strip_layout",
    "res", "tiles", "audio_level", "events",
)  # fmt: skip
VIEWS = ("gallery", "bottom_speaker", "left_side_speaker")

_STYLE = """
body{font:16px system-ui,sans-serif;margin:0;background:#1d2330;color:#eef}
main{padding:1rem}main.strip{padding:.25rem;display:flex;gap:1rem;align-items:center}
dl{display:grid;grid-template-columns:max-content auto;gap:.1rem .8rem;font-size:.85rem}
dt{opacity:.7}dd{margin:0}button{margin:.2rem;padding:.4rem .8rem}
.strip dl{display:none}.tile{display:inline-block;width:8rem;height:4.5rem;background:#334}
[hidden]{display:none!important}
"""

_ROOM_SCRIPT = """
(function () {
  var room = document.querySelector('[data-testid="room"]');
  var status = document.querySelector('[data-testid="room-status"]');
  var dialog = document.querySelector('[data-testid="join-dialog"]');
  var stage = document.querySelector('[data-testid="stage"]');
  var join = document.querySelector('[data-testid="join"]');
  if (join) join.addEventListener('click', function () {
    dialog.hidden = true; stage.hidden = false;
    room.dataset.joined = 'true'; status.textContent = 'In the meeting';
  });
  document.querySelectorAll('button[data-reason]').forEach(function (button) {
    button.addEventListener('click', function () {
      var reason = button.dataset.reason;
      window.parent.postMessage({type: 'iotumLeaveCallEvent', reason: reason}, '*');
      room.dataset.joined = 'false'; room.dataset.left = reason;
      stage.hidden = true; status.textContent = 'Left the meeting (' + reason + ')';
      var after = room.dataset.afterCallUrl;
      if (reason === 'left' && after) window.location.assign(after);
    });
  });
})();
"""


def _page(title: str, body: str, *, script: str = "") -> str:
    tail = f"<script>{script}</script>" if script else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}{tail}</body></html>"
    )


def _flag(value: str | None) -> str:
    return "true" if (value or "").lower() in ("true", "1", "yes") else "false"


def room_settings(query: Mapping[str, str]) -> dict[str, str]:
    """The room's settings from its query string, normalised as the room applies them."""
    mute = {part.strip() for part in query.get("mute", "").split(",") if part.strip()}
    view = query.get("view", "gallery")
    return {
        "name": query.get("name", ""),
        "skip_join": _flag(query.get("skip_join")),
        "observer": _flag(query.get("observer")),
        "camera": "off" if "camera" in mute or _flag(query.get("observer")) == "true" else "on",
        "mic": "off" if "mic" in mute else "on",
        "view": view if view in VIEWS else "gallery",
        "strip_layout": _flag(query.get("strip_layout")),
        "res": query.get("res", ""),
        "tiles": query.get("tiles", ""),
        "audio_level": _flag(query.get("audio_level")),
        "events": _flag(query.get("events")),
    }


def room_page(
    room: Room,
    query: Mapping[str, str],
    *,
    signed_in_host: bool = False,
    after_call_url: str | None = None,
) -> str:
    """``/conf/call/CODE``: a room that reflects its parameters and can 'leave'."""
    settings = room_settings(query)
    strip = settings["strip_layout"] == "true"
    joined = settings["skip_join"] == "true"
    attributes = " ".join(
        f'data-{key.replace("_", "-")}="{escape(value)}"' for key, value in settings.items()
    )
    after = f' data-after-call-url="{escape(after_call_url)}"' if after_call_url else ""
    title = room.subject or f"{room.host_name}'s room"
    strip_class = ' class="strip"' if strip else ""
    rows = "".join(
        f'<dt>{escape(key)}</dt><dd data-testid="param-{escape(key.replace("_", "-"))}">'
        f"{escape(value)}</dd>"
        for key, value in settings.items()
    )
    unknown = sorted(set(query) - set(ROOM_PARAMETERS))
    ignored = (
        f'<p data-testid="ignored-params">Ignored: {escape(", ".join(unknown))}</p>'
        if unknown
        else ""
    )
    host_controls = (
        '<p data-testid="host-controls">Signed in as the host: '
        '<button type="button">End meeting for all</button></p>'
        if signed_in_host
        else ""
    )
    own_tile = (
        ""
        if settings["observer"] == "true"
        else (
            f'<span class="tile" data-testid="own-tile">{escape(settings["name"] or "You")}</span>'
        )
    )
    body = (
        f'<main data-testid="room" data-code="{escape(room.code)}" '
        f'data-role="{"host" if signed_in_host else "participant"}" '
        f'data-joined="{"true" if joined else "false"}" {attributes}{after}'
        f"{strip_class}>"
        f'<h1 data-testid="room-title">{escape(title)}</h1>'
        f'<p data-testid="room-status">{"In the meeting" if joined else "Not joined"}</p>'
        f'<form data-testid="join-dialog"{" hidden" if joined else ""} onsubmit="return false">'
        f'<label>Your name <input name="name" value="{escape(settings["name"])}"></label>'
        '<button type="button" data-testid="join">Join</button></form>'
        f'<section data-testid="stage"{"" if joined else " hidden"}>'
        f'<div data-testid="layout">{"strip" if strip else escape(settings["view"])}</div>'
        f"{own_tile}"
        f'<span data-testid="camera">camera {settings["camera"]}</span> '
        f'<span data-testid="mic">mic {settings["mic"]}</span>'
        "</section>"
        f"{host_controls}"
        '<p><button type="button" data-testid="leave" data-reason="left">Leave</button>'
        '<button type="button" data-testid="kick" data-reason="kicked">Simulate: kicked</button>'
        '<button type="button" data-testid="block" data-reason="blocked">'
        "Simulate: blocked</button></p>"
        f"<dl>{rows}</dl>{ignored}</main>"
    )
    return _page(f"{title} - Callbridge sandbox", body, script=_ROOM_SCRIPT)


def livestream_page(room: Room) -> str:
    """``/livestream/CODE``: a stand-in for the HLS player of a room."""
    title = room.subject or f"{room.host_name}'s room"
    body = (
        f'<main data-testid="livestream" data-code="{escape(room.code)}">'
        f"<h1>{escape(title)}</h1>"
        '<div data-testid="player" class="tile" role="img" aria-label="Live stream player">'
        '</div><p data-testid="stream-status">The stream starts when the meeting does.</p>'
        "</main>"
    )
    return _page(f"{title} (live stream) - Callbridge sandbox", body)


def error_page(title: str, detail: str) -> str:
    """A 4xx page a person can read inside an iframe."""
    return _page(
        title, f'<main data-testid="error"><h1>{escape(title)}</h1><p>{escape(detail)}</p></main>'
    )


def index_page(accounts: list[dict[str, str]]) -> str:
    """``/``: what this server is and the seeded accounts (public test fixtures)."""
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(str(a[k]))}</td>" for k in (
            "email", "password", "role", "host_id", "access_code")) + "</tr>"
        for a in accounts
    )  # fmt: skip
    body = (
        "<main><h1>Callbridge sandbox</h1><p>A local simulation of the Callbridge "
        "Enterprise API (<code>/enterprise_api/...</code>) and its rooms "
        "(<code>/conf/call/CODE</code>, <code>/livestream/CODE</code>, <code>/auth</code>)."
        "</p><table><tr><th>email</th><th>password</th><th>role</th><th>host_id</th>"
        f"<th>room</th></tr>{rows}</table></main>"
    )
    return _page("Callbridge sandbox", body)
