"""The preview's web app: the in-memory site, as a static host would serve it.

``/x/`` serves ``x/index.html``, ``/x`` redirects to ``/x/``, unknown paths
get ``404.html`` with status 404 (Netlify's and Cloudflare Pages' habits),
and nothing is cached. Only here, never in a build, each HTML page gets the
reload script; ``/_site-gen/`` holds the script, the event stream and a JSON
status (the last rebuild: what it rendered, the problems).
"""

from __future__ import annotations

import mimetypes
import re
import secrets
from collections.abc import Container, Iterable, Mapping, Sequence
from importlib.resources import files as package_files
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from site_gen.structure.files import OutputFile

from .events import Hub, Rebuild

__all__ = ["PREFIX", "Builder", "create_app", "inject", "lookup"]

PREFIX = "/_site-gen"
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
_NO_STORE = {"Cache-Control": "no-store"}
_TYPES = {
    ".ics": "text/calendar",
    ".xml": "application/xml",
    ".js": "text/javascript",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
}
_EMPTY_PAGE = (
    "<!doctype html><html lang=en><head><meta charset=utf-8><title>site-gen preview</title>"
    "</head><body><p>Nothing is built here yet.</p></body></html>"
)


class Builder(Protocol):
    """What the server needs of a site in memory (preview/incremental.py's PreviewSite)."""

    root: Path
    watched_dirs: tuple[str, ...]
    watched_files: tuple[str, ...]
    files: Mapping[str, OutputFile]
    versions: Mapping[str, int]
    problems: tuple[str, ...]
    last: Rebuild | None

    @property
    def recent(self) -> Sequence[Rebuild]:
        """The last rebuilds, oldest first (a few dozen)."""
        ...

    @property
    def site_files_pending(self) -> bool: ...

    def build(self) -> Rebuild: ...

    def update(self, paths: Iterable[Path], *, defer: bool = False) -> Rebuild: ...

    def finish(self) -> Rebuild | None: ...


def lookup(files: Container[str], path: str) -> tuple[str | None, str | None]:
    """``(output path, redirect)`` for a URL path; both None when nothing is there."""
    rel = path.lstrip("/")
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
        return (rel if rel in files else None), None
    if rel in files:
        return rel, None
    if f"{rel}/index.html" in files:
        return None, f"{path}/"
    return None, None


def inject(html: str, version: str) -> str:
    """The page with the reload script added before ``</head>``."""
    tag = f'<script src="{PREFIX}/reload.js" data-version="{version}" defer></script>\n'
    found = _HEAD_END.search(html)
    if found is None:
        return html + tag
    return html[: found.start()] + tag + html[found.start() :]


def _media_type(rel: str) -> str:
    name = rel.rsplit("/", 1)[-1]
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    kind = _TYPES.get(suffix) or mimetypes.guess_type(name)[0]
    if kind is None:
        return "text/plain; charset=utf-8" if name.startswith("_") else "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/xml", "application/json"):
        return f"{kind}; charset=utf-8"
    return kind


def create_app(site: Builder, *, instance: str | None = None) -> Starlette:
    """A Starlette app serving ``site`` from memory; ``app.state.hub`` reaches its tabs.

    ``instance`` tells this server's versions from a previous run's, so a tab
    left open across a restart reloads once it reconnects.
    """
    instance = instance or secrets.token_hex(4)
    script = (package_files(__package__) / "assets" / "reload.js").read_bytes()

    def version_of(path: str) -> str:
        rel, _ = lookup(site.files, path)
        rel = rel or "404.html"
        return f"{instance}.{quote(rel)}.{site.versions.get(rel, 0)}"

    hub = Hub(version_of, lambda: site.problems)

    async def events(request: Request) -> Response:
        path = request.query_params.get("path", "/")
        version = request.query_params.get("version", "")
        return StreamingResponse(
            hub.stream(path, version),
            media_type="text/event-stream",
            headers={**_NO_STORE, "X-Accel-Buffering": "no"},
        )

    async def reload_js(request: Request) -> Response:
        return Response(script, media_type="text/javascript; charset=utf-8", headers=_NO_STORE)

    async def status(request: Request) -> Response:
        last = site.last
        data: dict[str, object] = {
            "build": 0,
            "problems": list(site.problems),
            "tabs": hub.tabs,
            "site_files_pending": site.site_files_pending,
        }
        if last is not None:
            data.update(
                build=last.number,
                reason=last.reason,
                pages_rendered=last.pages_rendered,
                site_files_rendered=last.site_files_rendered,
                static_changed=last.static_changed,
                changed=sorted(last.changed)[:200],
                seconds=last.seconds,
            )
        # ?since=N: every rebuild after number N still remembered, each with
        # what it did. The last one may already be a later rebuild's (an edit
        # followed by the listings, or by a second save): a client timing one
        # change finds that change's own rebuild here.
        since = request.query_params.get("since")
        if since is not None and since.lstrip("-").isdigit():
            data["rebuilds"] = [_rebuild_data(r) for r in site.recent if r.number > int(since)]
        return JSONResponse(data, headers=_NO_STORE)

    async def serve_file(request: Request) -> Response:
        path = request.url.path
        files = site.files
        rel, redirect = lookup(files, path)
        if redirect is not None:
            query = f"?{request.url.query}" if request.url.query else ""
            return RedirectResponse(redirect + query, status_code=302, headers=_NO_STORE)
        status_code = 200
        if rel is None:
            status_code = 404
            rel = "404.html" if "404.html" in files else None
        if rel is None:
            body = inject(_EMPTY_PAGE, version_of(path))
            return Response(
                body, status_code, media_type="text/html; charset=utf-8", headers=_NO_STORE
            )
        file = files[rel]
        try:
            data = file.data()
        except OSError:  # a static file deleted since the last rebuild
            return Response("Not found", 404, headers=_NO_STORE)
        media_type = _media_type(rel)
        if media_type.startswith("text/html"):
            data = inject(data.decode("utf-8"), version_of(path)).encode("utf-8")
        return Response(data, status_code, media_type=media_type, headers=_NO_STORE)

    routes = [
        Route(f"{PREFIX}/events", events),
        Route(f"{PREFIX}/reload.js", reload_js),
        Route(f"{PREFIX}/status", status),
        Route("/{path:path}", serve_file),
    ]
    app = Starlette(routes=routes)
    app.state.hub = hub
    app.state.version_of = version_of
    return app


def _rebuild_data(rebuild: Rebuild) -> dict[str, object]:
    return {
        "build": rebuild.number,
        "reason": rebuild.reason,
        "pages_rendered": rebuild.pages_rendered,
        "site_files_rendered": rebuild.site_files_rendered,
        "static_changed": rebuild.static_changed,
        "changed": sorted(rebuild.changed)[:200],
        "seconds": rebuild.seconds,
    }
