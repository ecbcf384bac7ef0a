"""``host_link(site, host) -> str``: a host's single sign-on URL (the guide's ``/auth``).

The URL logs whoever opens it in as the host, so it is a credential: the
command prints it to a terminal only, and its key, the host's
``login_token_public_key``, is never written anywhere by site-gen (not in
the lock, not in ``public/``). The API returns that key only in host/create's
answer and has no method to read it again, so it comes from the
environment: ``CALLBRIDGE_LOGIN_TOKEN_<HOST KEY>`` (``marketing`` →
``CALLBRIDGE_LOGIN_TOKEN_MARKETING``). With ``api = "sandbox"`` the
sandbox's own record of the host is used.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote, urlencode

from site_gen.config.values import safe_link
from site_gen.errors import ExitCode, SiteGenError
from site_gen.paths import LOCK_FILE, SANDBOX_DB
from site_gen.structure.lock import Lock
from site_gen.structure.site import load_site

__all__ = ["LoginTokenMissing", "host_link", "token_variable"]


class LoginTokenMissing(SiteGenError):
    """No login token for the host in the environment."""

    exit_code = ExitCode.USAGE


def token_variable(host_key: str) -> str:
    """The environment variable holding a host's login_token_public_key."""
    return "CALLBRIDGE_LOGIN_TOKEN_" + re.sub(r"[^A-Za-z0-9]", "_", host_key).upper()


def host_link(
    root: Path,
    host_key: str,
    *,
    redirect_url: str | None = None,
    after_call_url: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The ``/auth`` URL that signs ``host_key`` in and lands in ``redirect_url``.

    ``redirect_url`` defaults to the host's own room; ``after_call_url`` is
    where the host goes after leaving a call (a path of the meeting domain or
    an https URL).
    """
    environ = os.environ if environ is None else environ
    site = load_site(root, environ)
    config = site.config
    host = config.hosts.get(host_key)
    if host is None:
        known = ", ".join(sorted(config.hosts)) or "none"
        raise LoginTokenMissing(f"no host '{host_key}' in site.toml (hosts: {known})")
    section = Lock.load(root / LOCK_FILE).peek(config.callbridge.api)
    locked = section.hosts.get(host_key)
    host_id = host.host_id or (locked.host_id if locked else None)
    access_code = host.access_code if not host.create else (locked.access_code if locked else None)
    if host_id is None:
        raise LoginTokenMissing(
            f"host '{host_key}' has no host_id yet: run 'site-gen build' to create it first"
        )
    token = environ.get(token_variable(host_key))
    if not token and config.callbridge.is_sandbox:
        token = _sandbox_token(root, host_id)
    if not token:
        raise LoginTokenMissing(
            f"set {token_variable(host_key)} to host '{host_key}''s login_token_public_key "
            "(host/create returns it once; site-gen never stores it)"
        )
    if redirect_url is None:
        redirect_url = f"/conf/call/{access_code}" if access_code else "/conf/calls/upcoming"
    params = {"host_id": str(host_id), "login_token_public_key": token,
              "redirect_url": redirect_url}
    if after_call_url:
        params["after_call_url"] = safe_link(after_call_url)
    return f"{config.callbridge.meeting_origin}/auth?{urlencode(params, quote_via=quote, safe='/')}"


def _sandbox_token(root: Path, host_id: int) -> str | None:
    """The sandbox keeps every host's key in its own database (it is the server)."""
    # Only for sandbox sites: the sandbox's state module is not needed otherwise.
    from site_gen.callbridge.sandbox.state import login_token_for

    db = root / SANDBOX_DB
    db.parent.mkdir(parents=True, exist_ok=True)
    return login_token_for(db, host_id)
