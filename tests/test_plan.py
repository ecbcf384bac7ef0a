"""Planning: what the lock lacks, in dependency order; changes named, never guessed."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_gen.errors import ValidationFailed
from site_gen.scheduling.plan import conference_fields, fingerprint, host_fields, make_plan
from site_gen.structure.lock import ApiSection, LockedConference, LockedHost
from site_gen.structure.site import Site, load_site
from tests.helpers import BASE_CONFIG, NOW, SiteFactory

WEBINAR = """\
---
title: Q1 Launch
kind: webinar
host: marketing
start: 2027-03-15 16:00
duration: 60
---
"""

RESELLER = BASE_CONFIG + """
[hosts.events]
name = "Events Team"
email = "events@joe.test"
create = true
company = "joe"

[companies.joe]
subdomain = "joe"
name = "The Joe Company"
"""


def load(root: Path) -> Site:
    return load_site(root, environ={})


def locked(site: Site, slug: str, **override: object) -> LockedConference:
    page = site.page_by_slug(slug)
    assert page is not None
    fields = conference_fields(page, site) | override
    return LockedConference(
        conference_id=183, host_id=3, access_code="987654321", start=fields["start"],
        time_zone=fields["time_zone"], duration=fields["duration"], fields=fields,
        fingerprint=fingerprint(fields),
    )


def test_plan_in_dependency_order(make_site: SiteFactory) -> None:
    site = load(make_site({"content/q1.md": WEBINAR}, config=RESELLER))
    plan = make_plan(site, site.pages, ApiSection(), now=NOW)
    assert [a.label for a in plan.actions] == [
        "create company joe", "create host events", "create conference q1",
    ]
    conference = plan.actions[-1]
    assert conference.fields["start"] == "2027-03-15 16:00:00"
    assert conference.fields["time_zone"] == "America/Toronto"
    assert conference.summary == "start=2027-03-15 16:00:00 America/Toronto, 60 min"


def test_nothing_to_do_when_the_lock_has_everything(make_site: SiteFactory) -> None:
    site = load(make_site({"content/q1.md": WEBINAR}))
    section = ApiSection(conferences={"q1": locked(site, "q1")})
    assert not make_plan(site, site.pages, section, now=NOW)


def test_title_change_is_not_a_reschedule(make_site: SiteFactory) -> None:
    site = load(make_site({"content/q1.md": WEBINAR}))
    section = ApiSection(conferences={"q1": locked(site, "q1", subject="Old title")})
    assert not make_plan(site, site.pages, section, now=NOW)


def test_changed_start_stops_the_build_naming_page_and_fields(make_site: SiteFactory) -> None:
    site = load(make_site({"content/q1.md": WEBINAR}))
    section = ApiSection(conferences={"q1": locked(
        site, "q1", start="2027-03-08 16:00:00", duration=45)})
    with pytest.raises(ValidationFailed) as caught:
        make_plan(site, site.pages, section, now=NOW)
    assert [str(p) for p in caught.value.problems] == [
        "content/q1.md:5: webinar 'q1' changed since conference 183 was scheduled "
        "(start 2027-03-08 16:00:00 → 2027-03-15 16:00:00, duration 45 → 60): run "
        "'site-gen build --reschedule' to create a new conference (then cancel the old one "
        "in Callbridge), or undo the change"
    ]


def test_reschedule_plans_a_replacement(make_site: SiteFactory) -> None:
    site = load(make_site({"content/q1.md": WEBINAR}))
    old = locked(site, "q1", start="2027-03-08 16:00:00")
    plan = make_plan(site, site.pages, ApiSection(conferences={"q1": old}), now=NOW,
                     reschedule=True)
    assert [a.label for a in plan.actions] == ["reschedule conference q1"]
    assert plan.actions[0].replaces == old


def test_past_unscheduled_webinar_is_a_warning(make_site: SiteFactory) -> None:
    site = load(make_site({"content/q1.md": WEBINAR.replace("2027-03-15", "2026-06-01")}))
    plan = make_plan(site, site.pages, ApiSection(), now=NOW)
    assert not plan
    assert [str(w) for w in plan.warnings] == [
        "content/q1.md:5: webinar 'q1' started in the past and was never scheduled: not "
        "scheduling it; its page shows it as ended"
    ]


def test_changed_created_host_is_a_warning_not_a_create(make_site: SiteFactory) -> None:
    site = load(make_site(config=RESELLER))
    fields = host_fields(site.config.hosts["events"]) | {"name": "Old name"}
    section = ApiSection(hosts={"events": LockedHost(
        host_id=9, access_code="7654321", fields=fields, fingerprint=fingerprint(fields))})
    plan = make_plan(site, site.pages, section, now=NOW)
    assert [a.label for a in plan.actions] == ["create company joe"]
    assert [str(w) for w in plan.warnings] == [
        "site.toml: [hosts.events] changed since the host was created (name); the API cannot "
        "update a host: change it in Callbridge's admin, or remove its entry from "
        "site-gen.lock to create a new one"
    ]


def test_fingerprints_hold_no_pin(make_site: SiteFactory) -> None:
    config = RESELLER.replace('create = true\n', 'create = true\nmoderator_pin = "9876543"\n')
    site = load(make_site({"content/q1.md": WEBINAR.replace(
        "duration: 60", 'duration: 60\nsecurity_pin: "123456"')}, config=config))
    plan = make_plan(site, site.pages, ApiSection(), now=NOW)
    for action in plan.actions:
        assert "9876543" not in repr(action.fields)
        assert "123456" not in repr(action.fields)
