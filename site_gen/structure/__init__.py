"""The site as data: config and pages loaded, what the lock pins, what each page embeds.

    site.py      Site (immutable) and load_site
    pages.py     Page: one content file, read and validated; cross-page rules
    page_memo.py what unchanged content files loaded as, by stat then content hash
    lock.py      site-gen.lock: what the API created, pinned
    resolve.py   Resolved: each page with its room or player and time slot
    timeslot.py  TimeSlot: a webinar's start, end and state at a moment (arithmetic in UTC)
    embed.py     iframe URLs exactly as the platform documents them
    tags.py      tag slugs and the pages of each tag
    files.py     the output files a site consists of, as data
"""
