"""The disk build: only what changed is rendered, on every core, and committed with a journal.

    write_site.py         write_site: the whole of it, top-down
    cache.py              what the last build wrote and with which keys; the no-op check
    staging.py            new files written aside, committed in place with a journal
    pool.py               pages rendered in forked worker processes
    markdown_prefetch.py  Markdown converted on the idle core while the site loads
"""
