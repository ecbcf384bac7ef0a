"""The lock's text: ``json.dumps(indent=2, sort_keys=True)``'s, built incrementally."""

from __future__ import annotations

import json
from pathlib import Path

from site_gen.structure.lock import (
    Lock,
    LockedCompany,
    LockedConference,
    LockedHost,
    SupersededConference,
)


def reference(lock: Lock) -> str:
    data = json.loads(lock.to_json())
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_text_is_canonical_json_and_follows_every_change(tmp_path: Path) -> None:
    lock = Lock(tmp_path / "site-gen.lock")
    assert lock.to_json() == '{\n  "apis": {},\n  "version": 1\n}\n'
    lock.section("sandbox")  # an empty section is not written
    assert json.loads(lock.to_json())["apis"] == {}
    section = lock.section("https://acme.example")
    section.companies["joe"] = LockedCompany(id=5, subdomain="joe", fingerprint="sha256:a")
    section.hosts["ünï"] = LockedHost(host_id=8, access_code="1234567", fingerprint="sha256:b",
                                      fields={"name": "Zoë \"quoted\"", "z": [1, 2], "a": {}})
    for n in (3, 1, 2):
        section.conferences[f"w{n}"] = LockedConference(
            conference_id=100 + n, host_id=8, start="2027-03-15 16:00:00", time_zone="UTC",
            duration=60, fingerprint="sha256:c", fields={"start": "x"},
        )
    first = lock.to_json()
    assert first == reference(lock)
    old = section.conferences["w1"]
    section.conferences["w1"] = old.model_copy(update={
        "conference_id": 200, "sequence": 1,
        "superseded": [SupersededConference(conference_id=101, fingerprint="sha256:c",
                                            start=old.start, time_zone="UTC")],
    })
    second = lock.to_json()
    assert second == reference(lock) and second != first
    assert json.loads(second)["apis"]["https://acme.example"]["conferences"]["w1"][
        "conference_id"] == 200
    lock.save()
    assert Lock.load(lock.path).to_json() == second
