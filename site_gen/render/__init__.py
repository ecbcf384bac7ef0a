"""Every output file's bytes, from templates and data; nothing here touches the disk.

    renderer.py  Renderer: the one Jinja environment, every kind of file
    outputs.py   a page's files and the site-wide files, asked of the renderer
    theme.py     the default theme: where it lives (checkout or wheel), its files
    stylesheet.py  assets/site-gen-theme.css: [theme]'s colours and fonts
    markdown.py  page bodies to safe HTML
    ical.py      .ics files and "add to calendar" links
    vtimezone.py VTIMEZONE components every calendar client reads the same
    seo.py       schema.org JSON-LD
    headers.py   SiteHeaders: the CSP composed from the site, every host's format
    analytics.py analytics presets: scripts, generated config, their CSP sources
    blocked.py   external resources the policy would block, at their lines
    dates.py     dates, times and zone names in the page language (CLDR, Babel)
"""
