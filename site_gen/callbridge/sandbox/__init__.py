"""A faithful local Callbridge: the Enterprise API's rules, rooms and SSO, for builds and tests.

``state`` holds the rules and the SQLite persistence, ``app`` the Starlette
app (API, pages, test controls), ``in_process`` a client that talks to the
app without a socket (``api = "sandbox"`` builds), ``server`` the uvicorn
runner behind ``site-gen sandbox``, ``testing`` a background server for
test suites.
"""
