"""Making what the lock lacks through the Callbridge API, exactly once.

    plan.py          Plan: the creates a build would make (no API call)
    apply.py         making them, each answer into the lock at once
    client_setup.py  which client: the in-process sandbox or the real API
    detached.py      the creates in a child process that outlives a killed build
"""
