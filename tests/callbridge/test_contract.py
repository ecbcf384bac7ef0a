"""The client against the sandbox, twice: in-process (ASGI) and over real loopback HTTP.

Every method, every status of the guide's table (200, 401, 403, 404, 500),
token expiry and re-authentication (concurrent too), role scoping,
uniqueness conflicts, the retry policy, and that no secret leaks.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

import httpx
import pytest
from pydantic import SecretStr

from site_gen.callbridge import (
    ApiError,
    ApiRequestError,
    ApiTransportError,
    AuthenticationFailed,
    CompanyCreate,
    ConferenceCreate,
    Credentials,
    HostCreate,
    NotFound,
    ParticipantEmail,
    PermissionDenied,
    RateLimited,
    ServerError,
)
from site_gen.errors import ExitCode, SiteGenError

from .conftest import ADMIN, HOST, RESELLER, Harness

pytestmark = pytest.mark.anyio


def webinar(host_id: int = 3, **changes: object) -> ConferenceCreate:
    fields: dict[str, object] = {
        "host_id": host_id,
        "subject": "Q1 Launch",
        "agenda": "What's new",
        "start": "2027-01-15 16:00:00",
        "time_zone": "America/Toronto",
        "duration": 60,
        "one_time_access_code": True,
    }
    fields.update(changes)
    return ConferenceCreate(**fields)  # type: ignore[arg-type]


# -- authenticate ---------------------------------------------------------


async def test_token_is_fetched_once_and_reused(sandbox: Harness) -> None:
    async with sandbox.client() as client:
        await client.create_conference(webinar())
        await client.create_conference(webinar(subject="Second"))
    assert sandbox.calls()["authenticate"] == 1
    assert sandbox.calls()["conference/create"] == 2


async def test_wrong_password_is_401_naming_the_email_not_the_password(sandbox: Harness) -> None:
    wrong = Credentials(email="admin@acme.test", password=SecretStr("hunter2-wrong"))
    async with sandbox.client(wrong) as client:
        with pytest.raises(AuthenticationFailed) as caught:
            await client.create_conference(webinar())
    text = str(caught.value)
    assert "admin@acme.test" in text and "wrong email or password" in text
    assert "hunter2-wrong" not in text and "hunter2-wrong" not in repr(caught.value)
    assert caught.value.status == 401
    assert isinstance(caught.value, SiteGenError) and caught.value.exit_code == ExitCode.API
    assert sandbox.calls()["authenticate"] == 1  # a 401 is final, never retried


async def test_a_plain_host_may_not_use_the_api(sandbox: Harness) -> None:
    async with sandbox.client(HOST) as client:
        with pytest.raises(PermissionDenied, match="needs the COMPANY_ADMIN or RESELLER_ADMIN"):
            await client.authenticate()


# -- company/create -------------------------------------------------------


async def test_reseller_creates_companies_with_unique_subdomains(sandbox: Harness) -> None:
    async with sandbox.client(RESELLER) as client:
        company = await client.create_company(CompanyCreate(subdomain="joe", name="Joe Co"))
        assert company.id == 3
        with pytest.raises(ApiRequestError) as caught:
            await client.create_company(CompanyCreate(subdomain="joe", name="Another Joe"))
    assert caught.value.status == 409
    assert "subdomain 'joe' is already taken" in str(caught.value)
    assert sandbox.state.company(3) == {
        "id": 3, "subdomain": "joe", "name": "Joe Co", "openid_provider": 0,
        "reseller_id": 1, "host_limit_locked": 0,
    }  # fmt: skip


async def test_company_admin_may_not_create_companies(sandbox: Harness) -> None:
    async with sandbox.client(ADMIN) as client:
        with pytest.raises(PermissionDenied) as caught:
            await client.create_company(CompanyCreate(subdomain="joe", name="Joe"))
    assert str(caught.value).startswith(
        "the role of API user admin@acme.test may not create company 'joe'"
    )
    assert caught.value.message == "only Reseller Admins may create companies"


# -- host/create ----------------------------------------------------------


async def test_host_create_returns_every_documented_field(sandbox: Harness) -> None:
    async with sandbox.client(ADMIN) as client:
        host = await client.create_host(HostCreate(name="Ann", email="ann@acme.test"))
    code = host.access_code.number
    assert host.host_id == 4 and host.name == "Ann" and host.email == "ann@acme.test"
    assert host.role == "HOST"  # the guide's default
    assert code.isdigit() and len(code) == 7
    assert host.meeting_url == f"{sandbox.origin}/conf/call/{code}"
    assert host.moderator_pin.number.get_secret_value().isdigit()
    assert host.primary_dialin_number
    assert host.login_token_public_key is not None and host.password_creation_link is not None
    assert host.subscription_ids == []
    assert sandbox.state.host(4)["email"] == "ann@acme.test"  # type: ignore[index]


async def test_custom_access_code_and_pin_are_honoured_and_unique(sandbox: Harness) -> None:
    async with sandbox.client(ADMIN) as client:
        host = await client.create_host(HostCreate(
            name="Bo", email="bo@acme.test", access_code="7654321", moderator_pin="1357913",
            role="COMPANY_ADMIN",
        ))  # fmt: skip
        assert host.access_code.number == "7654321" and host.role == "COMPANY_ADMIN"
        assert host.moderator_pin.number.get_secret_value() == "1357913"
        with pytest.raises(ApiRequestError, match="access code 1234567 is already taken"):
            await client.create_host(HostCreate(
                name="Cy", email="cy@acme.test", access_code="1234567"
            ))  # fmt: skip
        with pytest.raises(ApiRequestError, match="moderator PIN is already taken") as caught:
            await client.create_host(HostCreate(
                name="Cy", email="cy@acme.test", moderator_pin="1357913"
            ))  # fmt: skip
        assert "1357913" not in str(caught.value)
        with pytest.raises(
            ApiRequestError, match="with email 'MARKETING@acme\\.test' already exists"
        ):
            await client.create_host(HostCreate(name="Mk", email="MARKETING@acme.test"))


async def test_company_admin_stays_in_its_company(sandbox: Harness) -> None:
    async with sandbox.client(ADMIN) as client:
        # company_id is ignored for Company Admins: the host lands in Acme (2).
        host = await client.create_host(HostCreate(company_id=1, name="D", email="d@acme.test"))
        with pytest.raises(PermissionDenied, match="RESELLER_ADMIN"):
            await client.create_host(HostCreate(
                name="E", email="e@acme.test", role="RESELLER_ADMIN"
            ))  # fmt: skip
    assert sandbox.state.host(host.host_id) is not None
    assert sandbox.state.company(2) is not None
    row = sandbox.state.host(host.host_id)
    assert row is not None and row["meeting_url"].endswith(host.access_code.number)


async def test_reseller_scope(sandbox: Harness) -> None:
    other = sandbox.state.add_reseller("other", "Other Reseller")
    async with sandbox.client(RESELLER) as client:
        host = await client.create_host(HostCreate(
            company_id=2, name="F", email="f@acme.test", role="RESELLER_ADMIN"
        ))  # fmt: skip
        assert host.role == "RESELLER_ADMIN"
        with pytest.raises(ApiRequestError, match="company_id is required for Reseller Admins"):
            await client.create_host(HostCreate(name="G", email="g@acme.test"))
        with pytest.raises(NotFound) as missing:
            await client.create_host(HostCreate(company_id=99, name="G", email="g@acme.test"))
        with pytest.raises(PermissionDenied, match=f"company {other}"):
            await client.create_host(HostCreate(company_id=other, name="G", email="g@o.test"))
        conference = await client.create_conference(webinar(3))
    assert missing.value.status == 404
    assert "cannot create host 'g@acme.test' in company 99: company 99 not found" in str(
        missing.value
    )
    assert conference.participants == [3]


async def test_subscriptions_raise_host_limits(sandbox: Harness) -> None:
    assert sandbox.state.subscription(104) == {
        "id": 104, "company_id": 2, "slug": "recording", "kind": "add_on", "host_limit": 1,
        "hosts": 0,
    }  # fmt: skip
    async with sandbox.client(ADMIN) as client:
        first = await client.create_host(HostCreate(
            name="H1", email="h1@acme.test", subscription_ids=[102, 104]
        ))  # fmt: skip
        second = await client.create_host(HostCreate(
            name="H2", email="h2@acme.test", plan_slug="pro", add_on_slugs=["recording"]
        ))  # fmt: skip
        with pytest.raises(NotFound, match="subscription 555 does not exist in company 2"):
            await client.create_host(HostCreate(
                name="H3", email="h3@acme.test", subscription_ids=[555]
            ))  # fmt: skip
        sandbox.state.lock_host_limits(2)
        with pytest.raises(ApiRequestError, match="host limit changes are locked"):
            await client.create_host(HostCreate(
                name="H4", email="h4@acme.test", subscription_ids=[104]
            ))  # fmt: skip
    assert first.subscription_ids == [102, 104] and second.subscription_ids == [102, 104]
    assert sandbox.state.subscription(104)["host_limit"] == 2  # type: ignore[index]
    assert sandbox.state.subscription(102)["host_limit"] == 4  # type: ignore[index]
    assert sandbox.state.host(7) is None  # the refused host was rolled back


# -- conference/create ----------------------------------------------------


async def test_conference_answer_has_the_computed_fields(sandbox: Harness) -> None:
    async with sandbox.client() as client:
        conference = await client.create_conference(webinar(
            participant_emails=[
                ParticipantEmail(email="bob@x.test", moderator=True),
                ParticipantEmail(email="al@x.test"),
            ],
            security_pin="123456",
        ))  # fmt: skip
        plain = await client.create_conference(webinar(
            one_time_access_code=False, participants=[2, 3], start="2027-01-01 06:30:00",
            mute_mode="q&a", auto_record="video",
        ))  # fmt: skip
    assert conference.conference_id == 1
    assert (conference.start, conference.end_time) == ("2027-01-15 16:00:00", "2027-01-15 17:00:00")
    assert conference.time_zone == "America/Toronto" and conference.duration == 60
    assert conference.auto_record == "none" and conference.mute_mode == "conversation"
    assert conference.auto_transcribe is False and conference.active is False
    assert conference.participants == [3, 1001, 1002]  # the organizer first
    assert conference.moderators == [3, 1001]
    code = conference.one_time_access_code
    assert code is not None and len(str(code)) == 9
    assert conference.security_pin is not None
    assert conference.security_pin.get_secret_value() == "123456"
    # 06:30 in Toronto is 11:30 UTC; the sandbox clock says 12:00 UTC: live now.
    assert plain.active is True and plain.one_time_access_code is None
    assert plain.participants == [3, 2] and plain.moderators == [3]
    assert (plain.mute_mode, plain.auto_record) == ("q&a", "video")
    assert [c["conference_id"] for c in sandbox.state.conferences()] == [1, 2]


async def test_conference_errors(sandbox: Harness) -> None:
    other = sandbox.state.add_reseller("other", "Other")
    stranger = sandbox.state.add_account(other, "boss@other.test", "pw-other")
    async with sandbox.client() as client:
        with pytest.raises(NotFound) as missing:
            await client.create_conference(webinar(99))
        with pytest.raises(PermissionDenied, match=f"host {stranger}"):
            await client.create_conference(webinar(stranger))
        with pytest.raises(ApiRequestError) as invalid:
            await client.create_conference(webinar(
                time_zone="Mars/Olympus", duration=0, start="15/01/2027 16:00"
            ))  # fmt: skip
        with pytest.raises(NotFound, match="contact 77 does not exist"):
            await client.create_conference(webinar(participants=[77]))
    assert str(missing.value).startswith(
        "cannot schedule conference 'Q1 Launch' for host 99: host 99 not found"
    )
    assert invalid.value.status == 400
    assert invalid.value.message == (
        "duration must be a positive number of minutes; "
        "time_zone 'Mars/Olympus' is not a known time zone; "
        "start '15/01/2027 16:00' must be 'YYYY-MM-DD HH:MM:SS'"
    ) or set(invalid.value.message.split("; ")) == {
        "duration must be a positive number of minutes",
        "time_zone 'Mars/Olympus' is not a known time zone",
        "start '15/01/2027 16:00' must be 'YYYY-MM-DD HH:MM:SS'",
    }
    assert sandbox.state.conferences() == []


async def test_a_local_start_in_a_clock_change(sandbox: Harness) -> None:
    """Local wall time in a zone, as the guide has it: a repeated time is the first of the
    two (the second can only be sent in UTC); a skipped time is refused.
    """
    async with sandbox.client() as client:
        twice = await client.create_conference(webinar(
            start="2027-10-31 02:30:00", time_zone="Europe/Berlin"
        ))  # fmt: skip
        second = await client.create_conference(webinar(
            start="2027-10-31 01:30:00", time_zone="UTC", subject="Second"
        ))  # fmt: skip
        with pytest.raises(ApiRequestError) as skipped:
            await client.create_conference(webinar(
                start="2027-03-28 02:30:00", time_zone="Europe/Berlin"
            ))  # fmt: skip
    assert (twice.end_time, second.end_time) == ("2027-10-31 02:30:00", "2027-10-31 02:30:00")
    # The first 02:30 (CEST) is 00:30 UTC, the second (CET) 01:30 UTC; each lasts an hour.
    live = {}
    for hour, minute in ((0, 45), (1, 45)):
        sandbox.clock.set(datetime(2027, 10, 31, hour, minute, tzinfo=UTC))
        live[f"{hour:02d}:{minute}Z"] = [c["active"] for c in sandbox.state.conferences()]
    assert live == {"00:45Z": [True, False], "01:45Z": [False, True]}
    assert skipped.value.status == 400
    assert skipped.value.message == (
        "start '2027-03-28 02:30:00' does not exist in Europe/Berlin (a clock change)"
    )


# -- tokens ---------------------------------------------------------------


async def test_token_expires_five_minutes_after_last_use(sandbox: Harness) -> None:
    async with sandbox.client() as client:
        await client.create_conference(webinar())
        sandbox.clock.advance(240)
        await client.create_conference(webinar())  # touched: alive until +540
        sandbox.clock.advance(240)
        await client.create_conference(webinar())
        assert sandbox.calls()["authenticate"] == 1
        sandbox.clock.advance(300)
        await client.create_conference(webinar())
    assert sandbox.calls() == {
        "authenticate": 2, "company/create": 0, "host/create": 0, "conference/create": 5,
    }  # fmt: skip
    assert len(sandbox.state.conferences()) == 4


async def test_concurrent_requests_meeting_an_expired_token_reauthenticate_once(
    sandbox: Harness,
) -> None:
    async with sandbox.client() as client:
        await client.authenticate()
        sandbox.state.expire_tokens()
        sandbox.controls.set_latency(50)  # all twelve are in flight with the stale token
        results = await asyncio.gather(
            *(client.create_conference(webinar(subject=f"Talk {i}")) for i in range(12))
        )
    assert sandbox.calls()["authenticate"] == 2  # the first, and exactly one more
    assert sandbox.calls()["conference/create"] == 24  # each refused once, then repeated once
    assert len({c.conference_id for c in results}) == 12
    assert len(sandbox.state.conferences()) == 12


async def test_concurrent_first_calls_authenticate_once(sandbox: Harness) -> None:
    async with sandbox.client() as client:
        await asyncio.gather(*(client.create_conference(webinar()) for _ in range(8)))
    assert sandbox.calls()["authenticate"] == 1


async def test_a_token_refused_twice_is_an_error(sandbox: Harness) -> None:
    async with sandbox.client() as client:
        await client.authenticate()
        sandbox.controls.fail_nth("conference/create", 1, status=401)
        sandbox.controls.fail_nth("conference/create", 2, status=401)
        with pytest.raises(AuthenticationFailed, match="a fresh auth token was refused as well"):
            await client.create_conference(webinar())
    assert sandbox.calls()["authenticate"] == 2


# -- retry policy ---------------------------------------------------------


async def test_a_500_on_create_is_never_repeated(sandbox: Harness) -> None:
    async with sandbox.client() as client:
        sandbox.controls.fail_nth("conference/create", 1)
        with pytest.raises(ServerError) as caught:
            await client.create_conference(webinar())
        assert sandbox.calls()["conference/create"] == 1
        assert sandbox.state.conferences() == []  # failed before any change
        await client.create_conference(webinar())
    assert "not repeated, it may have been applied" in str(caught.value)
    assert caught.value.status == 500 and caught.value.exit_code == ExitCode.API
    assert len(sandbox.state.conferences()) == 1


async def test_503_with_retry_after_is_repeated_without_duplicates(sandbox: Harness) -> None:
    async with sandbox.client() as client:
        sandbox.controls.fail_nth("conference/create", 1, status=503, retry_after=0)
        sandbox.controls.fail_nth("host/create", 1, status=429, retry_after=0)
        await client.create_conference(webinar())
        await client.create_host(HostCreate(name="R", email="r@acme.test"))
    assert sandbox.calls()["conference/create"] == 2
    assert sandbox.calls()["host/create"] == 2
    assert len(sandbox.state.conferences()) == 1


async def test_503_without_retry_after_on_create_is_final(sandbox: Harness) -> None:
    async with sandbox.client() as client:
        sandbox.controls.fail_nth("conference/create", 1, status=503)
        with pytest.raises(ServerError):
            await client.create_conference(webinar())
        sandbox.controls.fail_nth("conference/create", 1, status=429)
        with pytest.raises(RateLimited):
            await client.create_conference(webinar())
    assert sandbox.calls()["conference/create"] == 2


async def test_authenticate_is_retried_on_5xx_then_gives_up(sandbox: Harness) -> None:
    async with sandbox.client(max_retries=2) as client:
        sandbox.controls.fail_nth("authenticate", 1)
        await client.create_conference(webinar())
        assert sandbox.calls()["authenticate"] == 2
        sandbox.state.expire_tokens()
        for n in (1, 2, 3):
            sandbox.controls.fail_nth("authenticate", n, status=502)
        with pytest.raises(ServerError) as caught:
            await client.create_conference(webinar())
    assert sandbox.calls()["authenticate"] == 5  # 2 + the first try and 2 retries
    assert caught.value.status == 502


class RefuseFirstConnections(httpx.AsyncBaseTransport):
    """Fails the first ``count`` requests as a refused connection would (nothing sent)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, count: int) -> None:
        self.inner = inner
        self.count = count

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.count > 0 and request.url.path.endswith("/conference/create"):
            self.count -= 1
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_requests_that_never_left_are_repeated(sandbox: Harness) -> None:
    flaky = RefuseFirstConnections(sandbox.make_transport(), count=2)
    async with sandbox.client(transport=flaky) as client:
        await client.create_conference(webinar())
    assert sandbox.calls()["conference/create"] == 1
    assert len(sandbox.state.conferences()) == 1

    never = RefuseFirstConnections(sandbox.make_transport(), count=99)
    async with sandbox.client(transport=never, max_retries=2) as client:
        with pytest.raises(ApiTransportError) as caught:
            await client.create_conference(webinar())
    assert caught.value.maybe_applied is False and never.count == 96


async def test_unreachable_api_is_a_transport_error() -> None:
    from site_gen.callbridge import CallbridgeClient
    from site_gen.callbridge.sandbox.server import bind

    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    async with CallbridgeClient(f"http://127.0.0.1:{port}", ADMIN, backoff=0.0) as client:
        with pytest.raises(ApiTransportError, match="ConnectError") as caught:
            await client.create_conference(webinar())
    assert caught.value.maybe_applied is False


async def test_a_read_timeout_on_create_is_not_repeated(loopback: Harness) -> None:
    sandbox = loopback  # over sockets only: httpx's ASGI transport has no timeouts
    async with sandbox.client(timeout=0.1) as client:
        await client.authenticate()
        sandbox.controls.set_latency(400)
        with pytest.raises(ApiTransportError) as caught:
            await client.create_conference(webinar())
        assert caught.value.maybe_applied is True
        assert "may have reached Callbridge, so it was not repeated" in str(caught.value)
        assert sandbox.calls()["conference/create"] == 1
    # The server did apply it: exactly why a read timeout must not be repeated.
    deadline = time.monotonic() + 10
    while not sandbox.state.conferences() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert len(sandbox.state.conferences()) == 1


async def test_latency_does_not_serialise_concurrent_calls(sandbox: Harness) -> None:
    async with sandbox.client() as client:
        await client.authenticate()
        # Long enough that all five arrive while the first still sleeps, even on a slow machine.
        sandbox.controls.set_latency(1500)
        tasks = [asyncio.ensure_future(client.create_conference(webinar())) for _ in range(5)]
        while sandbox.calls()["conference/create"] < 5:
            await asyncio.sleep(0.01)
        # Five calls arrived while the first was still sleeping: the delay is async.
        assert not any(task.done() for task in tasks)
        await asyncio.gather(*tasks)
    assert len(sandbox.state.conferences()) == 5


# -- secrets --------------------------------------------------------------


async def test_no_secret_in_logs_reprs_or_errors(
    sandbox: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    async with sandbox.client(ADMIN) as client:
        host = await client.create_host(HostCreate(
            name="S", email="s@acme.test", moderator_pin="2468024", password=SecretStr("pw-new-1")
        ))  # fmt: skip
        token = client._token
        assert token is not None
        conference = await client.create_conference(webinar(security_pin="555111"))
        texts += [repr(client), str(client), repr(host), str(host), repr(conference)]
        texts += [host.model_dump_json(), conference.model_dump_json(), repr(client.credentials)]
        sandbox.controls.fail_nth("conference/create", 1)
        sandbox.state.expire_tokens()
        for failing in (
            client.create_conference(webinar()),
            client.create_host(HostCreate(name="T", email="t@acme.test", moderator_pin="2468024")),
        ):
            try:
                await failing
            except ApiError as exc:
                texts += [str(exc), repr(exc), str(exc.__dict__)]
    wrong = Credentials(email="admin@acme.test", password=SecretStr("not-the-password-42"))
    async with sandbox.client(wrong) as client:
        with pytest.raises(ApiError) as caught:
            await client.authenticate()
        texts += [str(caught.value), repr(caught.value), repr(client)]
    texts += [record.getMessage() for record in caught_records(caplog)]
    secrets = [
        "sandbox-admin", "not-the-password-42", "pw-new-1", token.get_secret_value(),
        "2468024", "555111",
        host.login_token_public_key.get_secret_value(),  # type: ignore[union-attr]
        host.password_creation_link.get_secret_value(),  # type: ignore[union-attr]
    ]  # fmt: skip
    joined = "\n".join(texts)
    assert "POST /enterprise_api/conference/create 200" in joined  # the log lines are there
    for secret in secrets:
        assert secret not in joined


def caught_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return list(caplog.records)
