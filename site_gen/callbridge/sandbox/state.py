"""The sandbox's Callbridge: the guide's rules over a small SQLite database.

Everything here is synchronous and framework-free, so the rules are tested
directly (tests/callbridge/test_state.py) and the Starlette app in
``app.py`` only translates HTTP. One ``SandboxState`` is shared by the
server's threads: every operation runs under one lock, and each create is
committed before it answers, so a state file survives restarts.

What the rules decide where the guide is silent is written at each method
and collected in docs/callbridge.md ("Where the guide is ambiguous").
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "METHODS",
    "SEED_ACCOUNTS",
    "TOKEN_LIFETIME",
    "Clock",
    "ManualClock",
    "Room",
    "SandboxError",
    "SandboxState",
    "SeedAccount",
    "login_token_for",
    "seed_login_key",
]

Clock = Callable[[], float]

#: "An auth_token expires five minutes after its last successful use."
TOKEN_LIFETIME = 300.0

METHODS = ("authenticate", "company/create", "host/create", "conference/create")

ROLES = ("RESELLER_ADMIN", "COMPANY_ADMIN", "HOST")
AUTO_RECORD = ("none", "audio", "video")
MUTE_MODES = ("conversation", "q&a", "presentation")
PLANS = ("basic", "pro", "reseller-pro")
ADD_ONS = ("recording", "transcription", "livestream")
START_FORMAT = "%Y-%m-%d %H:%M:%S"
SUBDOMAIN = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DIALIN = "+1-416-555-0100"


class SandboxError(Exception):
    """An answer other than 200: the HTTP status and the guide's ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class ManualClock:
    """A clock tests move by hand: token expiry and ``active`` without sleeping."""

    def __init__(self, now: float | datetime | None = None) -> None:
        self.now = 0.0
        self.set(time.time() if now is None else now)

    def __call__(self) -> float:
        return self.now

    def set(self, now: float | datetime) -> None:
        """Jump to ``now`` (epoch seconds or an aware datetime)."""
        self.now = now.timestamp() if isinstance(now, datetime) else float(now)

    def advance(self, seconds: float) -> None:
        """Move forward by ``seconds``."""
        self.now += seconds


@dataclass(frozen=True)
class SeedAccount:
    """A seeded API user: public test fixtures, printed by ``site-gen sandbox``."""

    host_id: int
    company_id: int
    name: str
    email: str
    password: str
    role: str
    access_code: str
    moderator_pin: str


SEED_ACCOUNTS = (
    SeedAccount(1, 1, "Sandbox Reseller", "reseller@sandbox.test", "sandbox-reseller",
                "RESELLER_ADMIN", "1000001", "9000001"),
    SeedAccount(2, 2, "Acme Admin", "admin@acme.test", "sandbox-admin",
                "COMPANY_ADMIN", "2000002", "9000002"),
    SeedAccount(3, 2, "Acme Marketing", "marketing@acme.test", "sandbox-host",
                "HOST", "1234567", "9876543"),
)  # fmt: skip

# (id, company_id, slug, kind, host_limit)
_SEED_SUBSCRIPTIONS = (
    (101, 1, "reseller-pro", "plan", 5),
    (102, 2, "pro", "plan", 2),
    (104, 2, "recording", "add_on", 1),
)
_SEED_HOST_SUBSCRIPTIONS = {1: [101], 2: [102], 3: [102]}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS companies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subdomain TEXT NOT NULL,
    name TEXT NOT NULL,
    openid_provider INTEGER NOT NULL DEFAULT 0,
    reseller_id INTEGER,
    host_limit_locked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS hosts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT,
    role TEXT NOT NULL,
    openid_sub TEXT,
    access_code TEXT NOT NULL UNIQUE,
    moderator_pin TEXT NOT NULL UNIQUE,
    login_key TEXT NOT NULL,
    password_link TEXT NOT NULL,
    no_welcome_email INTEGER NOT NULL DEFAULT 0,
    subscription_ids TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL,
    slug TEXT NOT NULL,
    kind TEXT NOT NULL,
    host_limit INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    host_id INTEGER NOT NULL,
    email TEXT NOT NULL COLLATE NOCASE,
    UNIQUE (host_id, email)
);
CREATE TABLE IF NOT EXISTS conferences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    host_id INTEGER NOT NULL,
    subject TEXT NOT NULL,
    agenda TEXT NOT NULL,
    start TEXT NOT NULL,
    end_time TEXT NOT NULL,
    start_utc REAL NOT NULL,
    end_utc REAL NOT NULL,
    time_zone TEXT NOT NULL,
    duration INTEGER NOT NULL,
    auto_record TEXT NOT NULL,
    auto_transcribe INTEGER NOT NULL,
    one_time_access_code TEXT UNIQUE,
    security_pin TEXT,
    mute_mode TEXT NOT NULL,
    participants TEXT NOT NULL,
    moderators TEXT NOT NULL
);
"""

#: Contacts get ids from 1001 so that they never collide with the seeded hosts'.
_FIRST_CONTACT_ID = 1001


@dataclass(frozen=True)
class Room:
    """What ``/conf/call/CODE`` shows: a host's own room or a conference's."""

    code: str
    host_id: int
    host_name: str
    subject: str | None  # a conference's subject; None for a host's own room


def seed_login_key(host_id: int) -> str:
    """A seeded host's login_token_public_key: fixed, so SSO links work on any sandbox."""
    return hashlib.sha256(f"callbridge-sandbox-host-{host_id}".encode()).hexdigest()[:32]


def login_token_for(db_path: Path, host_id: int) -> str | None:
    """A host's SSO key from a sandbox database (``site-gen host-link`` with the sandbox).

    Opens (and if new, seeds) the file the in-process sandbox uses, so a key
    read here is the one a later build's sandbox holds.
    """
    state = SandboxState.open(db_path)
    try:
        host = state.host(host_id)
    finally:
        state.close()
    return None if host is None else str(host["login_token_public_key"])


def _hash_password(password: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 1000).hex()
    return f"{salt}${digest}"


def _check_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    salt, _, _ = stored.partition("$")
    return hmac.compare_digest(_hash_password(password, salt), stored)


class _Fields:
    """Reads a request body, collecting every problem for one 400 answer."""

    def __init__(self, body: Any) -> None:
        if not isinstance(body, dict):
            raise SandboxError(400, "the request body must be a JSON object")
        self.body: dict[str, Any] = body
        self.problems: list[str] = []

    def has(self, key: str) -> bool:
        return self.body.get(key) is not None

    def _missing(self, key: str, required: bool) -> bool:
        if self.body.get(key) is None:
            if required:
                self.problems.append(f"{key} is required")
            return True
        return False

    def text(self, key: str, *, required: bool = True, empty: bool = False) -> str | None:
        if self._missing(key, required):
            return None
        value = self.body[key]
        if not isinstance(value, str) or (not empty and not value.strip()):
            self.problems.append(
                f"{key} must be a non-empty string" if not empty else f"{key} must be a string"
            )
            return None
        return value

    def integer(self, key: str, *, required: bool = True) -> int | None:
        if self._missing(key, required):
            return None
        value = self.body[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems.append(f"{key} must be an integer")
            return None
        return value

    def flag(self, key: str, *, required: bool = False, default: bool = False) -> bool:
        if self._missing(key, required):
            return default
        value = self.body[key]
        if not isinstance(value, bool):
            self.problems.append(f"{key} must be true or false")
            return default
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        if self._missing(key, False):
            return default
        value = self.body[key]
        if value not in choices:
            self.problems.append(f"{key} must be one of {', '.join(choices)}")
            return default
        return str(value)

    def digits(self, key: str) -> str | None:
        """A code or PIN: a JSON number (as in the guide) or a string of digits."""
        if self._missing(key, False):
            return None
        value = self.body[key]
        text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if not isinstance(text, str) or not re.fullmatch(r"[0-9]{4,15}", text):
            self.problems.append(f"{key} must be a number of 4 to 15 digits")
            return None
        return text

    def int_list(self, key: str) -> list[int] | None:
        if self._missing(key, False):
            return None
        value = self.body[key]
        if not isinstance(value, list) or any(
            isinstance(v, bool) or not isinstance(v, int) for v in value
        ):
            self.problems.append(f"{key} must be a list of integers")
            return None
        return list(value)

    def str_list(self, key: str) -> list[str] | None:
        if self._missing(key, False):
            return None
        value = self.body[key]
        if not isinstance(value, list) or any(not isinstance(v, str) for v in value):
            self.problems.append(f"{key} must be a list of strings")
            return None
        return list(value)

    def email(self, key: str) -> str | None:
        value = self.text(key)
        if value is not None and not EMAIL.match(value):
            self.problems.append(f"{key} {value!r} is not an email address")
            return None
        return value

    def done(self) -> None:
        if self.problems:
            raise SandboxError(400, "; ".join(self.problems))


class SandboxState:
    """Companies, hosts, subscriptions, contacts, conferences and live tokens."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        *,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        public_origin: str = "http://127.0.0.1:8001",
    ) -> None:
        self._db = connection
        self._db.row_factory = sqlite3.Row
        self.clock: Clock = clock or time.time
        self._rng = rng or random.SystemRandom()
        #: Where meeting URLs point; create_app sets it to the app's origin.
        self.public_origin = public_origin
        self._lock = threading.RLock()
        # Tokens live in memory only: a restarted sandbox asks clients to
        # authenticate again, as an expired session would.
        self._tokens: dict[str, tuple[int, float]] = {}
        with self._lock, self._db:
            self._db.executescript(_SCHEMA)
            if self._db.execute("SELECT COUNT(*) FROM companies").fetchone()[0] == 0:
                self._seed()

    @classmethod
    def open(cls, path: Path | None = None, *, clock: Clock | None = None) -> SandboxState:
        """State kept in the SQLite file ``path`` (created and seeded if new), or in memory."""
        target = ":memory:" if path is None else str(path)
        db = sqlite3.connect(target, check_same_thread=False)
        if path is not None:
            # A committed create must survive the sandbox process, not a power
            # cut: WAL without a sync per commit is 15 ms faster per create.
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
        return cls(db, clock=clock)

    def close(self) -> None:
        """Close the database (every change is already committed)."""
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._db:
            yield self._db

    # -- seeds and test helpers -------------------------------------------

    def _seed(self) -> None:
        db = self._db
        db.execute(
            "INSERT INTO companies (id, subdomain, name, reseller_id) VALUES (1, ?, ?, 1)",
            ("sandbox", "Sandbox Reseller"),
        )
        db.execute(
            "INSERT INTO companies (id, subdomain, name, reseller_id) VALUES (2, ?, ?, 1)",
            ("acme", "Acme"),
        )
        for sub in _SEED_SUBSCRIPTIONS:
            db.execute(
                "INSERT INTO subscriptions (id, company_id, slug, kind, host_limit) "
                "VALUES (?, ?, ?, ?, ?)",
                sub,
            )
        for seed in SEED_ACCOUNTS:
            db.execute(
                "INSERT INTO hosts (id, company_id, name, email, password_hash, role, "
                "access_code, moderator_pin, login_key, password_link, subscription_ids) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    seed.host_id, seed.company_id, seed.name, seed.email,
                    _hash_password(seed.password), seed.role, seed.access_code,
                    seed.moderator_pin, seed_login_key(seed.host_id), self._password_link(),
                    json.dumps(_SEED_HOST_SUBSCRIPTIONS[seed.host_id]),
                ),
            )  # fmt: skip
        db.execute(
            "INSERT OR REPLACE INTO sqlite_sequence (name, seq) VALUES ('contacts', ?)",
            (_FIRST_CONTACT_ID - 1,),
        )

    def reset(self) -> None:
        """Back to the seeds: every table emptied, tokens forgotten."""
        with self._transaction() as db:
            for table in ("companies", "hosts", "subscriptions", "contacts", "conferences"):
                db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
            db.execute("DELETE FROM sqlite_sequence")
            self._tokens.clear()
            self._seed()

    def add_reseller(self, subdomain: str, name: str) -> int:
        """Another reseller's company (tests of 'beyond the current Reseller')."""
        with self._transaction() as db:
            cur = db.execute(
                "INSERT INTO companies (subdomain, name) VALUES (?, ?)", (subdomain, name)
            )
            company_id = int(cur.lastrowid or 0)
            db.execute("UPDATE companies SET reseller_id = ? WHERE id = ?", (company_id,) * 2)
            return company_id

    def add_account(
        self, company_id: int, email: str, password: str, role: str = "RESELLER_ADMIN"
    ) -> int:
        """A user with a password, directly (as the Admin UI would make one)."""
        with self._transaction() as db:
            return self._insert_host(
                db, company_id=company_id, name=email, email=email,
                password=password, role=role, openid_sub=None, access_code=None,
                moderator_pin=None, no_welcome_email=True, subscription_ids=[],
            )  # fmt: skip

    def lock_host_limits(self, company_id: int, locked: bool = True) -> None:
        """'Host limit changes locked for the company': raising a limit then fails."""
        with self._transaction() as db:
            db.execute(
                "UPDATE companies SET host_limit_locked = ? WHERE id = ?", (int(locked), company_id)
            )

    def expire_tokens(self) -> None:
        """Every auth token stops working now (clients must authenticate again)."""
        with self._lock:
            self._tokens.clear()

    # -- reads (tests, pages, test controls) ------------------------------

    def conferences(self) -> list[dict[str, Any]]:
        """Every conference as conference/create answered it (for tests and /_sandbox)."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM conferences ORDER BY id").fetchall()
            return [self._conference_answer(row) for row in rows]

    def host(self, host_id: int) -> dict[str, Any] | None:
        """A host as host/create answered it, or None."""
        with self._lock:
            row = self._db.execute("SELECT * FROM hosts WHERE id = ?", (host_id,)).fetchone()
            return None if row is None else self._host_answer(row)

    def subscription(self, subscription_id: int) -> dict[str, Any] | None:
        """A subscription with its host limit and how many hosts it has."""
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM subscriptions WHERE id = ?", (subscription_id,)
            ).fetchone()
            if row is None:
                return None
            return {**dict(row), "hosts": self._subscribers(self._db, subscription_id)}

    def company(self, company_id: int) -> dict[str, Any] | None:
        """A company row, or None."""
        with self._lock:
            row = self._db.execute("SELECT * FROM companies WHERE id = ?", (company_id,)).fetchone()
            return None if row is None else dict(row)

    def room(self, code: str) -> Room | None:
        """The room an access code opens: a host's own, or a conference's one-time code."""
        with self._lock:
            row = self._db.execute(
                "SELECT id, name FROM hosts WHERE access_code = ?", (code,)
            ).fetchone()
            if row is not None:
                return Room(code, row["id"], row["name"], None)
            row = self._db.execute(
                "SELECT c.subject, h.id, h.name FROM conferences c JOIN hosts h "
                "ON h.id = c.host_id WHERE c.one_time_access_code = ?",
                (code,),
            ).fetchone()
            if row is not None:
                return Room(code, row["id"], row["name"], row["subject"])
            return None

    def check_login_key(self, host_id: int, key: str) -> bool:
        """SSO: does ``key`` match the host's login_token_public_key?"""
        with self._lock:
            row = self._db.execute(
                "SELECT login_key FROM hosts WHERE id = ?", (host_id,)
            ).fetchone()
        return row is not None and hmac.compare_digest(str(row["login_key"]), key)

    # -- the four methods -------------------------------------------------

    def call(self, method: str, body: Any) -> dict[str, Any]:
        """Dispatch one Enterprise API method; raises SandboxError for non-200 answers."""
        if method == "authenticate":
            return self.authenticate(body)
        if method == "company/create":
            return self.create_company(body)
        if method == "host/create":
            return self.create_host(body)
        if method == "conference/create":
            return self.create_conference(body)
        raise SandboxError(404, f"no such method: {method}")

    def authenticate(self, body: Any) -> dict[str, Any]:
        """401 for a wrong email/password; 403 for a plain HOST (may not use the API)."""
        fields = _Fields(body)
        email = fields.text("email")
        password = fields.text("password")
        fields.done()
        assert email is not None and password is not None
        with self._lock:
            row = self._db.execute(
                "SELECT id, role, password_hash FROM hosts WHERE email = ?", (email,)
            ).fetchone()
            if row is None or not _check_password(password, row["password_hash"]):
                raise SandboxError(401, "invalid email or password")
            if row["role"] not in ("RESELLER_ADMIN", "COMPANY_ADMIN"):
                raise SandboxError(
                    403, "the API is for Company Admins and Reseller Admins; this user is a HOST"
                )
            token = secrets.token_hex(16)
            token = f"{token[:8]}-{token[8:12]}-{token[12:16]}-{token[16:20]}-{token[20:]}"
            self._tokens[token] = (int(row["id"]), self.clock())
            return {"auth_token": token}

    def _caller(self, db: sqlite3.Connection, body: dict[str, Any]) -> sqlite3.Row:
        """The API user behind ``auth_token``; 401 when missing, unknown or expired."""
        token = body.get("auth_token")
        if not isinstance(token, str) or not token:
            raise SandboxError(401, "auth_token is missing")
        entry = self._tokens.get(token)
        if entry is None:
            raise SandboxError(401, "the session has expired: authenticate again")
        host_id, last_used = entry
        if self.clock() - last_used >= TOKEN_LIFETIME:
            del self._tokens[token]
            raise SandboxError(401, "the session has expired: authenticate again")
        row = db.execute(
            "SELECT h.*, c.reseller_id FROM hosts h JOIN companies c ON c.id = h.company_id "
            "WHERE h.id = ?",
            (host_id,),
        ).fetchone()
        if row is None:
            raise SandboxError(401, "the session has expired: authenticate again")
        caller: sqlite3.Row = row
        return caller

    def _touch(self, body: dict[str, Any]) -> None:
        """A successful use keeps the token alive for another five minutes."""
        token = body["auth_token"]
        if token in self._tokens:
            self._tokens[token] = (self._tokens[token][0], self.clock())

    def _in_scope(self, caller: sqlite3.Row, company: sqlite3.Row) -> bool:
        if caller["role"] == "RESELLER_ADMIN":
            return bool(company["reseller_id"] == caller["reseller_id"])
        return bool(company["id"] == caller["company_id"])

    def create_company(self, body: Any) -> dict[str, Any]:
        """Reseller admins only; the subdomain must be unique within the reseller."""
        fields = _Fields(body)
        with self._transaction() as db:
            caller = self._caller(db, fields.body)
            if caller["role"] != "RESELLER_ADMIN":
                raise SandboxError(403, "only Reseller Admins may create companies")
            subdomain = fields.text("subdomain")
            name = fields.text("name")
            openid = fields.flag("openid_provider")
            if subdomain is not None and not SUBDOMAIN.match(subdomain):
                fields.problems.append(
                    f"subdomain {subdomain!r} must be lowercase letters, digits and hyphens"
                )
            fields.done()
            taken = db.execute(
                "SELECT 1 FROM companies WHERE reseller_id = ? AND subdomain = ?",
                (caller["reseller_id"], subdomain),
            ).fetchone()
            if taken:
                raise SandboxError(409, f"subdomain {subdomain!r} is already taken")
            cur = db.execute(
                "INSERT INTO companies (subdomain, name, openid_provider, reseller_id) "
                "VALUES (?, ?, ?, ?)",
                (subdomain, name, int(openid), caller["reseller_id"]),
            )
            self._touch(fields.body)
            return {"id": int(cur.lastrowid or 0)}

    def create_host(self, body: Any) -> dict[str, Any]:
        """Host in the caller's reach; custom codes/PINs must be free; limits raised."""
        fields = _Fields(body)
        with self._transaction() as db:
            caller = self._caller(db, fields.body)
            company_id = fields.integer("company_id", required=False)
            name = fields.text("name")
            email = fields.email("email")
            password = fields.text("password", required=False)
            no_welcome = fields.flag("no_welcome_email")
            role = fields.choice("role", ROLES, "HOST")
            openid_sub = fields.text("openid_sub", required=False)
            moderator_pin = fields.digits("moderator_pin")
            access_code = fields.digits("access_code")
            subscription_ids = fields.int_list("subscription_ids")
            plan_slug = fields.text("plan_slug", required=False)
            add_on_slugs = fields.str_list("add_on_slugs")
            if subscription_ids is not None and (plan_slug or add_on_slugs):
                fields.problems.append(
                    "give subscription_ids, or plan_slug and add_on_slugs, not both"
                )
            if caller["role"] == "RESELLER_ADMIN":
                if fields.body.get("company_id") is None:
                    fields.problems.append("company_id is required for Reseller Admins")
            else:
                company_id = int(caller["company_id"])  # ignored for Company Admins
            fields.done()
            assert company_id is not None and email is not None
            company = db.execute("SELECT * FROM companies WHERE id = ?", (company_id,)).fetchone()
            if company is None:
                raise SandboxError(404, f"company {company_id} does not exist")
            if not self._in_scope(caller, company):
                raise SandboxError(403, f"company {company_id} is beyond this API user's reseller")
            if role == "RESELLER_ADMIN" and caller["role"] != "RESELLER_ADMIN":
                raise SandboxError(403, "only Reseller Admins may grant the RESELLER_ADMIN role")
            if db.execute("SELECT 1 FROM hosts WHERE email = ?", (email,)).fetchone():
                raise SandboxError(409, f"a host with email {email!r} already exists")
            if access_code is not None and self._code_taken(db, access_code):
                raise SandboxError(409, f"access code {access_code} is already taken")
            if (
                moderator_pin is not None
                and db.execute(
                    "SELECT 1 FROM hosts WHERE moderator_pin = ?", (moderator_pin,)
                ).fetchone()
            ):
                raise SandboxError(409, "the requested moderator PIN is already taken")
            subscriptions = self._subscriptions_for(
                db, company, subscription_ids, plan_slug, add_on_slugs
            )
            host_id = self._insert_host(
                db, company_id=company_id, name=name, email=email, password=password,
                role=role, openid_sub=openid_sub, access_code=access_code,
                moderator_pin=moderator_pin, no_welcome_email=no_welcome,
                subscription_ids=subscriptions,
            )  # fmt: skip
            self._raise_host_limits(db, company, subscriptions)
            self._touch(fields.body)
            row = db.execute("SELECT * FROM hosts WHERE id = ?", (host_id,)).fetchone()
            return self._host_answer(row)

    def create_conference(self, body: Any) -> dict[str, Any]:
        """Schedule a conference of a host in the caller's reach."""
        fields = _Fields(body)
        with self._transaction() as db:
            caller = self._caller(db, fields.body)
            host_id = fields.integer("host_id")
            subject = fields.text("subject")
            agenda = fields.text("agenda", empty=True)
            start_text = fields.text("start")
            zone_name = fields.text("time_zone")
            duration = fields.integer("duration")
            auto_record = fields.choice("auto_record", AUTO_RECORD, "none")
            auto_transcribe = fields.flag("auto_transcribe")
            one_time = fields.flag("one_time_access_code", required=True)
            security_pin = fields.digits("security_pin")
            mute_mode = fields.choice("mute_mode", MUTE_MODES, "conversation")
            participants = fields.int_list("participants")
            emails = self._participant_emails(fields)
            if participants is not None and emails is not None:
                fields.problems.append("give participants or participant_emails, not both")
            zone = _zone(fields, zone_name)
            start = _start(fields, start_text, zone)
            if duration is not None and duration <= 0:
                fields.problems.append("duration must be a positive number of minutes")
            fields.done()
            assert host_id is not None and start is not None and duration is not None
            assert zone is not None
            host = db.execute(
                "SELECT c.id AS id, c.reseller_id AS reseller_id "
                "FROM hosts h JOIN companies c ON c.id = h.company_id "
                "WHERE h.id = ?",
                (host_id,),
            ).fetchone()
            if host is None:
                raise SandboxError(404, f"host {host_id} does not exist")
            if not self._in_scope(caller, host):
                raise SandboxError(403, f"host {host_id} is beyond this API user's reach")
            members = [host_id]
            moderators = [host_id]  # the organizer is always in the list
            for contact in participants or []:
                if not self._contact_exists(db, host_id, contact):
                    raise SandboxError(404, f"contact {contact} does not exist")
                if contact not in members:
                    members.append(contact)
            for email, moderator in emails or []:
                contact = self._contact_for(db, host_id, email)
                if contact not in members:
                    members.append(contact)
                if moderator and contact not in moderators:
                    moderators.append(contact)
            end = (start.astimezone(UTC) + timedelta(minutes=duration)).astimezone(zone)
            code = self._new_code(db, 9) if one_time else None
            cur = db.execute(
                "INSERT INTO conferences (host_id, subject, agenda, start, end_time, start_utc, "
                "end_utc, time_zone, duration, auto_record, auto_transcribe, "
                "one_time_access_code, security_pin, mute_mode, participants, moderators) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    host_id, subject, agenda, start.strftime(START_FORMAT),
                    end.strftime(START_FORMAT), start.timestamp(), end.timestamp(), zone_name,
                    duration, auto_record, int(auto_transcribe), code, security_pin, mute_mode,
                    json.dumps(members), json.dumps(moderators),
                ),
            )  # fmt: skip
            self._touch(fields.body)
            row = db.execute("SELECT * FROM conferences WHERE id = ?", (cur.lastrowid,)).fetchone()
            return self._conference_answer(row)

    # -- rule helpers -----------------------------------------------------

    def _participant_emails(self, fields: _Fields) -> list[tuple[str, bool]] | None:
        if not fields.has("participant_emails"):
            return None
        value = fields.body["participant_emails"]
        out: list[tuple[str, bool]] = []
        if isinstance(value, list):
            for item in value:
                if (
                    isinstance(item, dict)
                    and isinstance(item.get("email"), str)
                    and EMAIL.match(item["email"])
                    and isinstance(item.get("moderator", False), bool)
                    and set(item) <= {"email", "moderator"}
                ):
                    out.append((item["email"], bool(item.get("moderator", False))))
                    continue
                fields.problems.append(
                    'participant_emails entries must be {"email": ..., "moderator": true|false}'
                )
                return None
            return out
        fields.problems.append("participant_emails must be a list")
        return None

    def _contact_exists(self, db: sqlite3.Connection, host_id: int, contact: int) -> bool:
        """A participant id: a contact of the host, or a host of the same company."""
        if db.execute(
            "SELECT 1 FROM contacts WHERE id = ? AND host_id = ?", (contact, host_id)
        ).fetchone():
            return True
        return bool(
            db.execute(
                "SELECT 1 FROM hosts a JOIN hosts b ON a.company_id = b.company_id "
                "WHERE a.id = ? AND b.id = ?",
                (host_id, contact),
            ).fetchone()
        )

    def _contact_for(self, db: sqlite3.Connection, host_id: int, email: str) -> int:
        """'If a participant's email is not on the host's contact list, it will be added.'"""
        row = db.execute(
            "SELECT id FROM contacts WHERE host_id = ? AND email = ?", (host_id, email)
        ).fetchone()
        if row is not None:
            return int(row["id"])
        cur = db.execute("INSERT INTO contacts (host_id, email) VALUES (?, ?)", (host_id, email))
        return int(cur.lastrowid or 0)

    def _code_taken(self, db: sqlite3.Connection, code: str) -> bool:
        """Access codes share one namespace: hosts' rooms and conferences' one-time codes."""
        return bool(
            db.execute("SELECT 1 FROM hosts WHERE access_code = ?", (code,)).fetchone()
            or db.execute(
                "SELECT 1 FROM conferences WHERE one_time_access_code = ?", (code,)
            ).fetchone()
        )

    def _new_code(self, db: sqlite3.Connection, digits: int) -> str:
        while True:
            code = str(self._rng.randrange(10 ** (digits - 1), 10**digits))
            if not self._code_taken(db, code):
                return code

    def _new_pin(self, db: sqlite3.Connection) -> str:
        while True:
            pin = str(self._rng.randrange(10**6, 10**7))
            if not db.execute("SELECT 1 FROM hosts WHERE moderator_pin = ?", (pin,)).fetchone():
                return pin

    def _password_link(self) -> str:
        return f"{self.public_origin}/password/new?token={secrets.token_urlsafe(16)}"

    def _insert_host(
        self,
        db: sqlite3.Connection,
        *,
        company_id: int,
        name: str | None,
        email: str,
        password: str | None,
        role: str,
        openid_sub: str | None,
        access_code: str | None,
        moderator_pin: str | None,
        no_welcome_email: bool,
        subscription_ids: list[int],
    ) -> int:
        cur = db.execute(
            "INSERT INTO hosts (company_id, name, email, password_hash, role, openid_sub, "
            "access_code, moderator_pin, login_key, password_link, no_welcome_email, "
            "subscription_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                company_id, name, email, _hash_password(password) if password else None, role,
                openid_sub, access_code or self._new_code(db, 7),
                moderator_pin or self._new_pin(db), secrets.token_hex(16),
                self._password_link(), int(no_welcome_email), json.dumps(subscription_ids),
            ),
        )  # fmt: skip
        return int(cur.lastrowid or 0)

    def _subscriptions_for(
        self,
        db: sqlite3.Connection,
        company: sqlite3.Row,
        ids: list[int] | None,
        plan_slug: str | None,
        add_on_slugs: list[str] | None,
    ) -> list[int]:
        """The exact list given; or the company's subscriptions to the named products."""
        if ids is not None:
            for sub in ids:
                if not db.execute(
                    "SELECT 1 FROM subscriptions WHERE id = ? AND company_id = ?",
                    (sub, company["id"]),
                ).fetchone():
                    raise SandboxError(
                        404, f"subscription {sub} does not exist in company {company['id']}"
                    )
            return list(dict.fromkeys(ids))
        wanted: list[tuple[str, str]] = []
        if plan_slug is not None:
            if plan_slug not in PLANS:
                raise SandboxError(404, f"plan {plan_slug!r} does not exist")
            wanted.append((plan_slug, "plan"))
        for slug in add_on_slugs or []:
            if slug not in ADD_ONS:
                raise SandboxError(404, f"add-on {slug!r} does not exist")
            wanted.append((slug, "add_on"))
        out = []
        for slug, kind in wanted:
            row = db.execute(
                "SELECT id FROM subscriptions WHERE company_id = ? AND slug = ?",
                (company["id"], slug),
            ).fetchone()
            if row is None:
                row = db.execute(
                    "INSERT INTO subscriptions (company_id, slug, kind, host_limit) "
                    "VALUES (?, ?, ?, 0) RETURNING id",
                    (company["id"], slug, kind),
                ).fetchone()
            out.append(int(row["id"]))
        return out

    def _subscribers(self, db: sqlite3.Connection, subscription_id: int) -> int:
        rows = db.execute("SELECT subscription_ids FROM hosts").fetchall()
        return sum(subscription_id in json.loads(r["subscription_ids"]) for r in rows)

    def _raise_host_limits(
        self, db: sqlite3.Connection, company: sqlite3.Row, subscriptions: list[int]
    ) -> None:
        """'The host limit ... will automatically be incremented', unless locked."""
        for sub in subscriptions:
            count = self._subscribers(db, sub)
            limit = db.execute(
                "SELECT host_limit FROM subscriptions WHERE id = ?", (sub,)
            ).fetchone()["host_limit"]
            if count <= limit:
                continue
            if company["host_limit_locked"]:
                # Raised inside the transaction: the host insert is rolled back.
                raise SandboxError(
                    409,
                    f"subscription {sub} is at its host limit ({limit}) and host limit "
                    f"changes are locked for company {company['id']}",
                )
            db.execute("UPDATE subscriptions SET host_limit = ? WHERE id = ?", (count, sub))

    # -- answers ----------------------------------------------------------

    def meeting_url(self, code: str) -> str:
        """The room of an access code, on the sandbox's public origin."""
        return f"{self.public_origin}/conf/call/{code}"

    def _host_answer(self, row: sqlite3.Row) -> dict[str, Any]:
        return {
            "host_id": row["id"],
            "name": row["name"],
            "email": row["email"],
            "primary_dialin_number": DIALIN,
            "meeting_url": self.meeting_url(row["access_code"]),
            "role": row["role"],
            "openid_sub": row["openid_sub"],
            "access_code": {"number": row["access_code"]},
            "moderator_pin": {"number": row["moderator_pin"]},
            "password_creation_link": row["password_link"],
            "login_token_public_key": row["login_key"],
            "subscription_ids": json.loads(row["subscription_ids"]),
        }

    def _conference_answer(self, row: sqlite3.Row) -> dict[str, Any]:
        now = self.clock()
        code = row["one_time_access_code"]
        return {
            "conference_id": row["id"],
            "host_id": row["host_id"],
            "subject": row["subject"],
            "agenda": row["agenda"],
            "start": row["start"],
            "end_time": row["end_time"],
            "active": bool(row["start_utc"] <= now < row["end_utc"]),
            "time_zone": row["time_zone"],
            "duration": row["duration"],
            "auto_record": row["auto_record"],
            "auto_transcribe": bool(row["auto_transcribe"]),
            "one_time_access_code": int(code) if code else None,
            "security_pin": row["security_pin"],
            "mute_mode": row["mute_mode"],
            "participants": json.loads(row["participants"]),
            "moderators": json.loads(row["moderators"]),
        }


def _zone(fields: _Fields, name: str | None) -> ZoneInfo | None:
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        fields.problems.append(f"time_zone {name!r} is not a known time zone")
        return None


def _start(fields: _Fields, text: str | None, zone: ZoneInfo | None) -> datetime | None:
    """The local start as an aware datetime; refuses times a DST change skips."""
    if text is None:
        return None
    try:
        naive = datetime.strptime(text, START_FORMAT)
    except ValueError:
        fields.problems.append(f"start {text!r} must be 'YYYY-MM-DD HH:MM:SS'")
        return None
    if zone is None:
        return None
    local = naive.replace(tzinfo=zone)
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        fields.problems.append(f"start {text!r} does not exist in {zone.key} (a clock change)")
        return None
    return local
