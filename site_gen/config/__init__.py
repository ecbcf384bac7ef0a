"""What users write, validated: ``site.toml`` and each page's front matter.

    site_toml.py     SiteConfig: every section and key of site.toml; load_config
    front_matter.py  FrontMatter: every key a page may have
    parsing.py       YAML and TOML parsed with the line of every key
    problems.py      pydantic's errors as ``file:line: message``, did-you-mean
    values.py        checks shared by both files: time zones, links
    theme.py         [theme]: the brand on the default theme; files and contrast
    integrations.py  [integrations.*], [security.csp], [deploy], [registration]
    colours.py       CSS colours, the brand palette, WCAG AA per pair
    json_schema.py   the front matter's JSON Schema, for editors
"""
