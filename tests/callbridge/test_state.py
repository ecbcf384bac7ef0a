"""The sandbox's rules on their own: no HTTP, a manual clock, a real SQLite file."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from site_gen.callbridge.sandbox.app import Controls
from site_gen.callbridge.sandbox.state import (
    SEED_ACCOUNTS,
    TOKEN_LIFETIME,
    ManualClock,
    SandboxError,
    SandboxState,
)

from .conftest import START


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def state(clock: ManualClock) -> Iterator[SandboxState]:
    s = SandboxState.open(None, clock=clock)
    yield s
    s.close()


def token(state: SandboxState, email: str = "admin@acme.test", pw: str = "sandbox-admin") -> str:
    return str(state.authenticate({"email": email, "password": pw})["auth_token"])


def conference(tok: str, **changes: Any) -> dict[str, Any]:
    body = {
        "auth_token": tok, "host_id": 3, "subject": "S", "agenda": "", "duration": 60,
        "start": "2027-01-15 16:00:00", "time_zone": "America/Toronto",
        "one_time_access_code": False,
    }  # fmt: skip
    body.update(changes)
    return body


def refused(status: int, call: Any, *args: Any) -> str:
    with pytest.raises(SandboxError) as caught:
        call(*args)
    assert caught.value.status == status, caught.value.message
    return caught.value.message


def test_seeds() -> None:
    state = SandboxState.open(None)
    assert [(a.email, a.role, a.company_id) for a in SEED_ACCOUNTS] == [
        ("reseller@sandbox.test", "RESELLER_ADMIN", 1),
        ("admin@acme.test", "COMPANY_ADMIN", 2),
        ("marketing@acme.test", "HOST", 2),
    ]
    marketing = state.host(3)
    assert marketing is not None and marketing["name"] == "Acme Marketing"
    assert marketing["access_code"] == {"number": "1234567"}
    assert state.company(1)["name"] == "Sandbox Reseller"  # type: ignore[index]
    assert state.company(2)["name"] == "Acme"  # type: ignore[index]
    room = state.room("1234567")
    assert room is not None and room.host_id == 3 and room.subject is None
    state.close()


def test_authenticate_rules(state: SandboxState) -> None:
    assert refused(401, state.authenticate, {"email": "admin@acme.test", "password": "x"}) == (
        "invalid email or password"
    )
    assert refused(401, state.authenticate, {"email": "nobody@x.test", "password": "x"})
    refused(403, state.authenticate, {"email": "marketing@acme.test", "password": "sandbox-host"})
    assert refused(400, state.authenticate, {"email": "admin@acme.test"}) == "password is required"
    assert refused(400, state.authenticate, ["not", "an", "object"]) == (
        "the request body must be a JSON object"
    )
    assert len(token(state).split("-")) == 5  # shaped like the guide's UUID


def test_token_life_is_touched_by_success_only(state: SandboxState, clock: ManualClock) -> None:
    tok = token(state)
    clock.advance(TOKEN_LIFETIME - 1)
    refused(404, state.create_conference, conference(tok, host_id=99))  # a failure: not touched
    clock.advance(1)
    assert refused(401, state.create_conference, conference(tok)) == (
        "the session has expired: authenticate again"
    )
    tok = token(state)
    clock.advance(TOKEN_LIFETIME - 1)
    state.create_conference(conference(tok))  # touched
    clock.advance(TOKEN_LIFETIME - 1)
    state.create_conference(conference(tok))
    state.expire_tokens()
    refused(401, state.create_conference, conference(tok))
    assert refused(401, state.create_conference, conference("")) == "auth_token is missing"


def test_end_time_and_active_follow_the_time_zone(state: SandboxState, clock: ManualClock) -> None:
    tok = token(state)
    # Toronto springs forward on 2027-03-14 at 02:00: 01:30 + 60 min is 03:30 local.
    dst = state.create_conference(conference(tok, start="2027-03-14 01:30:00"))
    assert dst["end_time"] == "2027-03-14 03:30:00"
    message = refused(400, state.create_conference, conference(tok, start="2027-03-14 02:30:00"))
    assert message == (
        "start '2027-03-14 02:30:00' does not exist in America/Toronto (a clock change)"
    )
    # START is 2027-01-01 12:00 UTC = 07:00 in Toronto.
    live = state.create_conference(conference(tok, start="2027-01-01 06:30:00", duration=45))
    assert live["active"] is True
    clock.advance(15 * 60)  # 07:15 local: ended at 07:15
    assert [c["active"] for c in state.conferences()] == [False, False]


def test_conference_validation_lists_every_problem(state: SandboxState) -> None:
    tok = token(state)
    body = conference(
        tok, duration=True, auto_record="tape", mute_mode="loud", participants=[1, "2"],
        one_time_access_code="yes", security_pin="12ab",
    )  # fmt: skip
    del body["subject"]
    assert refused(400, state.create_conference, body).split("; ") == [
        "subject is required",
        "duration must be an integer",
        "auto_record must be one of none, audio, video",
        "one_time_access_code must be true or false",
        "security_pin must be a number of 4 to 15 digits",
        "mute_mode must be one of conversation, q&a, presentation",
        "participants must be a list of integers",
    ]
    both = conference(tok, participants=[2], participant_emails=[{"email": "a@b.test"}])
    assert refused(400, state.create_conference, both) == (
        "give participants or participant_emails, not both"
    )
    bad = conference(tok, participant_emails=[{"email": "a@b.test", "name": "A"}])
    assert "participant_emails entries" in refused(400, state.create_conference, bad)


def test_participant_emails_become_contacts_once(state: SandboxState) -> None:
    tok = token(state)
    emails = [{"email": "bob@x.test", "moderator": True}, {"email": "al@x.test"}]
    first = state.create_conference(conference(tok, participant_emails=emails))
    second = state.create_conference(conference(tok, participant_emails=emails[:1]))
    assert first["participants"] == [3, 1001, 1002] and first["moderators"] == [3, 1001]
    assert second["participants"] == [3, 1001]  # bob is now a known contact
    reuse = state.create_conference(conference(tok, participants=[1002, 3, 2]))
    assert reuse["participants"] == [3, 1002, 2]


def test_access_codes_share_one_namespace(state: SandboxState) -> None:
    tok = token(state)
    made = state.create_conference(conference(tok, one_time_access_code=True))
    code = str(made["one_time_access_code"])
    room = state.room(code)
    assert room is not None and room.subject == "S" and room.host_id == 3
    host = {"auth_token": tok, "name": "N", "email": "n@acme.test", "access_code": int(code)}
    assert refused(409, state.create_host, host) == f"access code {code} is already taken"


def test_subdomains_are_unique_per_reseller(state: SandboxState) -> None:
    reseller = token(state, "reseller@sandbox.test", "sandbox-reseller")
    refused(409, state.create_company, {"auth_token": reseller, "subdomain": "acme", "name": "A"})
    other = state.add_reseller("other", "Other")
    state.add_account(other, "boss@other.test", "pw")
    boss = token(state, "boss@other.test", "pw")
    made = state.create_company({"auth_token": boss, "subdomain": "acme", "name": "Acme 2"})
    assert state.company(made["id"])["reseller_id"] == other  # type: ignore[index]
    message = refused(400, state.create_company, {"auth_token": boss, "subdomain": "Bad_Sub"})
    assert message == (
        "name is required; subdomain 'Bad_Sub' must be lowercase letters, digits and hyphens"
    )


def test_state_survives_a_restart(tmp_path: Path, clock: ManualClock) -> None:
    db = tmp_path / "sandbox.db"
    state = SandboxState.open(db, clock=clock)
    made = state.create_conference(conference(token(state)))
    state.close()
    again = SandboxState.open(db, clock=clock)
    assert again.conferences() == [made]
    # Tokens are memory only: a restarted sandbox asks for a new one.
    refused(401, again.create_conference, conference("whatever"))
    assert again.create_conference(conference(token(again)))["conference_id"] == 2
    again.reset()
    assert again.conferences() == [] and again.host(3) is not None
    again.close()


def test_unknown_method(state: SandboxState) -> None:
    assert refused(404, state.call, "conference/delete", {}) == "no such method: conference/delete"


def test_controls_fail_the_nth_call_from_now() -> None:
    controls = Controls(rng=random.Random(7))
    controls.count("host/create")
    controls.fail_nth("host/create", 2, status=503, retry_after=3)
    outcomes = [controls.failure_for("host/create", controls.count("host/create")) for _ in "abc"]
    assert [f and (f.status, f.retry_after) for f in outcomes] == [None, (503, 3), None]
    with pytest.raises(ValueError, match="unknown method"):
        controls.fail_nth("host/delete")
    controls.set_fail_rate(0.5)
    failed = sum(
        controls.failure_for("authenticate", controls.count("authenticate")) is not None
        for _ in range(200)
    )
    assert 60 < failed < 140
    controls.reset()
    assert controls.calls() == dict.fromkeys(controls.calls(), 0) and controls.fail_rate == 0
