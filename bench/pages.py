#!/usr/bin/env python3
"""The benchmark pages: one deterministic set of "webinar" pages, laid out for each tool.

Usage:
    python3 bench/pages.py --out DIR [-n 1000] [--seed 20270115] [--target all]
    python3 bench/pages.py --verify HTML_DIR [-n 1000] [--seed 20270115]

Every benchmark in this folder times the same pages, so that site-gen and
its peers are compared on identical input and the published figures can be
reproduced from a clone alone.

--target is one of: plain, hugo, eleventy, pelican, mkdocs, all.
  plain     DIR/plain/content/*.md (YAML front matter, no config)
  hugo      DIR/hugo/      hugo.toml, layouts/_default/single.html, content/webinars/
  eleventy  DIR/eleventy/  eleventy.config.cjs, src/_includes/webinar.njk, src/webinars/
  pelican   DIR/pelican/   pelicanconf.py (+ pelicanconf_cache.py), theme/, content/
  mkdocs    DIR/mkdocs/    mkdocs.yml, theme/main.html, docs/webinars/
  all       every one of the above, side by side under DIR.

Every page has the same front matter fields and the same body in every
layout. Hugo, Eleventy, MkDocs and plain get YAML front matter; Pelican gets
its own native "Key: value" metadata block (its Markdown reader does not
parse YAML without a plugin). Each layout shows the title and an <iframe>
whose src is built from the page's `video_id` front matter field.

site-gen's own site (a ``site.toml`` and the pages as real webinars) is
written by ``write_site``, which build_bench.py and reload_bench.py import.

--verify checks a rendered output folder: every one of the N pages must appear
in exactly one HTML file, with its title and its iframe src. Exit 1 otherwise.

Only the standard library is used. The output is a pure function of
(n, seed): same arguments, byte-identical files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import sys
from pathlib import Path
from typing import Any

#: One generated page: slug, front matter fields and Markdown ``body``.
GeneratedPage = dict[str, Any]

DEFAULT_N = 1000
DEFAULT_SEED = 20270115
TARGETS = ("plain", "hugo", "eleventy", "pelican", "mkdocs")
IFRAME_PREFIX = "https://player.example.com/embed/"

# --------------------------------------------------------------------------
# Corpus
# --------------------------------------------------------------------------

WORDS = """
access account adapt agenda align analysis answer api approach architecture
audience audit automate backlog balance baseline batch benchmark boundary
budget build cache capacity change checklist cluster code collaborate
compliance component configure connect context contract cost coverage
customer dashboard data deadline debug decision define delivery dependency
deploy design detail develop discover document domain draft effort engineer
estimate evaluate event evidence example experiment explain feature feedback
field flow focus forecast framework goal governance growth guide habit
handoff health improve incident index insight integrate interface iterate
journey label latency launch layer learn lifecycle limit load maintain
manage measure metric migrate milestone model module monitor network
observe onboard operate optimize outcome owner pattern performance pipeline
plan platform policy practice predict priority process product profile
progress project prototype quality query queue recover reduce refactor
release reliability report request resilience resource review risk roadmap
rollout runtime scale schedule schema scope secure service signal simplify
sprint stability standard strategy stream structure support system target
team template test throughput timeline tool trace tradeoff traffic trend
update usage user validate value version visibility workflow workload
""".split()  # noqa: SIM905 - readable as a block; the order is part of the output

TOPICS = [
    "Observability", "Platform Engineering", "Data Pipelines", "Release Management",
    "Incident Response", "Cost Optimization", "API Design", "Developer Experience",
    "Capacity Planning", "Security Reviews", "Edge Caching", "Schema Migrations",
    "Load Testing", "Feature Flags", "Service Ownership", "Search Relevance",
]
AUDIENCES = [
    "Small Teams", "Growing Startups", "Enterprise Architects", "Site Reliability Engineers",
    "Product Managers", "Data Analysts", "Frontend Developers", "Support Leads",
]
TAGS = [
    "devops", "cloud", "data", "security", "frontend", "backend", "sre",
    "product", "analytics", "testing", "performance", "architecture",
    "leadership", "career", "open-source", "databases", "networking",
    "automation", "ml", "accessibility",
]
HOSTS = [
    "Avery Chen", "Jordan Patel", "Morgan Silva", "Riley Nakamura", "Casey Dubois",
    "Quinn O Brien", "Taylor Moreau", "Jamie Kowalski", "Alex Lindqvist", "Sam Okafor",
    "Robin Haddad", "Drew Fernandes",
]
HOURS = ["09:00", "11:00", "14:00", "16:00"]
START_DAY0 = dt.date(2027, 1, 15)


def _sentence(rng: random.Random, n_words: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n_words)]
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def _paragraph(rng: random.Random, n_sentences: int, emphasis: bool) -> str:
    sentences = [_sentence(rng, rng.randint(9, 15)) for _ in range(n_sentences)]
    if emphasis:
        # emphasise one word and make one phrase strong, so Markdown has inline work to do
        i = rng.randrange(len(sentences))
        parts = sentences[i].split(" ")
        j = rng.randrange(1, len(parts) - 1)
        parts[j] = f"*{parts[j]}*"
        sentences[i] = " ".join(parts)
        k = rng.randrange(len(sentences))
        parts = sentences[k].split(" ")
        parts[0] = f"**{parts[0]}**"
        sentences[k] = " ".join(parts)
    return " ".join(sentences)


def make_pages(n: int, seed: int = DEFAULT_SEED) -> list[GeneratedPage]:
    """The n pages for ``seed``; the order of RNG calls is part of the published figures."""
    rng = random.Random(seed)  # reproducible data, not secrets
    pages = []
    for i in range(1, n + 1):
        topic = rng.choice(TOPICS)
        audience = rng.choice(AUDIENCES)
        host = rng.choice(HOSTS)
        tags = rng.sample(TAGS, rng.randint(2, 4))
        if i == 1:
            start_day, hour = START_DAY0, "16:00"
        else:
            start_day = START_DAY0 + dt.timedelta(days=rng.randrange(0, 365))
            hour = rng.choice(HOURS)
        published = start_day - dt.timedelta(days=rng.randint(30, 60))
        video_id = f"w{i:05d}{rng.getrandbits(32):08x}"
        title = f"Webinar {i:05d}: {topic} for {audience}"
        description = (
            f"A 60 minute live session on {topic.lower()} for "
            f"{audience.lower()}, hosted by {host}."
        )

        body = []
        body.append("## About this webinar\n")
        body.append(_paragraph(rng, 7, emphasis=True) + "\n")
        body.append("### What you will learn\n")
        for _ in range(6):
            body.append(f"- {_sentence(rng, rng.randint(6, 10))}")
        body.append("")
        body.append(_paragraph(rng, 6, emphasis=True) + "\n")
        body.append(
            f"Read the [{topic.lower()} notes](https://example.com/notes/{i:05d}) "
            f"before the session, and bring *one question* for {host}.\n"
        )
        body.append("### Who should attend\n")
        body.append(_paragraph(rng, 6, emphasis=False) + "\n")

        pages.append(
            {
                "slug": f"webinar-{i:05d}",
                "title": title,
                "date": published.isoformat(),
                "description": description,
                "tags": tags,
                "host": host,
                "start": f"{start_day.isoformat()} {hour}",
                "time_zone": "America/Toronto",
                "duration": 60,
                "kind": "webinar",
                "video_id": video_id,
                "body": "\n".join(body),
            }
        )
    return pages


# --------------------------------------------------------------------------
# Front matter serialisers
# --------------------------------------------------------------------------


def yaml_front_matter(p: GeneratedPage) -> str:
    """The page's fields as YAML front matter, as Hugo, Eleventy and MkDocs read it."""
    tags = ", ".join(p["tags"])
    return (
        "---\n"
        f'title: "{p["title"]}"\n'
        f"date: {p['date']}\n"
        f'description: "{p["description"]}"\n'
        f"tags: [{tags}]\n"
        f'host: "{p["host"]}"\n'
        f'start: "{p["start"]}"\n'
        f'time_zone: "{p["time_zone"]}"\n'
        f"duration: {p['duration']}\n"
        f"kind: {p['kind']}\n"
        f'video_id: "{p["video_id"]}"\n'
        "---\n\n"
    )


def pelican_metadata(p: GeneratedPage) -> str:
    """The page's fields as Pelican's Markdown reader wants them ("Key: value", blank line)."""
    return (
        f"Title: {p['title']}\n"
        f"Date: {p['date']}\n"
        f"Description: {p['description']}\n"
        f"Tags: {', '.join(p['tags'])}\n"
        f"Host: {p['host']}\n"
        f"Start: {p['start']}\n"
        f"Time_zone: {p['time_zone']}\n"
        f"Duration: {p['duration']}\n"
        f"Kind: {p['kind']}\n"
        f"Video_id: {p['video_id']}\n"
        "\n"
    )


# --------------------------------------------------------------------------
# Per-generator configs and layouts (one page layout each, same HTML shape)
# --------------------------------------------------------------------------

HUGO_CONFIG = """\
baseURL = "https://example.org/"
title = "Webinars"
buildFuture = true
# pages only: no home/section/taxonomy/feed/sitemap/robots/404 outputs
disableKinds = ["home", "section", "taxonomy", "term", "rss", "sitemap", "robotstxt", "404"]
"""

HUGO_SINGLE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ .Title }}</title>
<meta name="description" content="{{ .Description }}">
</head>
<body>
<main>
<h1>{{ .Title }}</h1>
<p class="meta">Hosted by {{ .Params.host }}, {{ .Params.start }} ({{ .Params.time_zone }}), {{ .Params.duration }} min</p>
<iframe src="https://player.example.com/embed/{{ .Params.video_id }}" title="{{ .Title }}" width="640" height="360" allowfullscreen></iframe>
{{ .Content }}
<ul class="tags">{{ range .Params.tags }}<li>{{ . }}</li>{{ end }}</ul>
</main>
</body>
</html>
"""  # noqa: E501 - the layouts' bytes are part of the published figures

ELEVENTY_CONFIG = """\
module.exports = function (eleventyConfig) {
  return {
    dir: { input: "src", includes: "_includes", output: "_site" },
  };
};
"""

ELEVENTY_LAYOUT = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ title }}</title>
<meta name="description" content="{{ description }}">
</head>
<body>
<main>
<h1>{{ title }}</h1>
<p class="meta">Hosted by {{ host }}, {{ start }} ({{ time_zone }}), {{ duration }} min</p>
<iframe src="https://player.example.com/embed/{{ video_id }}" title="{{ title }}" width="640" height="360" allowfullscreen></iframe>
{{ content | safe }}
<ul class="tags">{% for tag in tags %}<li>{{ tag }}</li>{% endfor %}</ul>
</main>
</body>
</html>
"""  # noqa: E501

PELICAN_CONFIG = """\
SITENAME = "Webinars"
SITEURL = ""
PATH = "content"
OUTPUT_PATH = "output"
THEME = "theme"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
RELATIVE_URLS = True
SLUGIFY_SOURCE = "basename"  # output name from the file name, as the others do
# pages only: no index/tag/category/author/archive pages, no feeds
DIRECT_TEMPLATES = []
TAG_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
"""

PELICAN_CACHE_CONFIG = """\
# Same site, with Pelican's own content cache turned on (for the rebuild case).
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pelicanconf import *  # noqa: E402,F401,F403

CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
"""

PELICAN_ARTICLE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ article.title }}</title>
<meta name="description" content="{{ article.description }}">
</head>
<body>
<main>
<h1>{{ article.title }}</h1>
<p class="meta">Hosted by {{ article.host }}, {{ article.start }} ({{ article.time_zone }}), {{ article.duration }} min</p>
<iframe src="https://player.example.com/embed/{{ article.video_id }}" title="{{ article.title }}" width="640" height="360" allowfullscreen></iframe>
{{ article.content }}
<ul class="tags">{% for tag in article.tags %}<li>{{ tag }}</li>{% endfor %}</ul>
</main>
</body>
</html>
"""  # noqa: E501

MKDOCS_CONFIG = """\
site_name: Webinars
docs_dir: docs
site_dir: site
theme:
  name: null
  custom_dir: theme
plugins: []
"""

MKDOCS_MAIN = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ page.title }}</title>
<meta name="description" content="{{ page.meta.description }}">
</head>
<body>
<main>
<h1>{{ page.title }}</h1>
<p class="meta">Hosted by {{ page.meta.host }}, {{ page.meta.start }} ({{ page.meta.time_zone }}), {{ page.meta.duration }} min</p>
<iframe src="https://player.example.com/embed/{{ page.meta.video_id }}" title="{{ page.title }}" width="640" height="360" allowfullscreen></iframe>
{{ page.content }}
<ul class="tags">{% for tag in page.meta.tags %}<li>{{ tag }}</li>{% endfor %}</ul>
</main>
</body>
</html>
"""  # noqa: E501


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # newline="\n": the same bytes on every platform
    path.write_text(text, encoding="utf-8", newline="\n")


def _fresh(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def lay_out(target: str, pages: list[GeneratedPage], out: Path) -> Path:
    """Write ``out/target`` afresh: the tool's config, its one layout and the pages."""
    root = _fresh(out / target)
    if target == "plain":
        for p in pages:
            _write(root / "content" / f"{p['slug']}.md", yaml_front_matter(p) + p["body"])
    elif target == "hugo":
        _write(root / "hugo.toml", HUGO_CONFIG)
        _write(root / "layouts" / "_default" / "single.html", HUGO_SINGLE)
        for p in pages:
            _write(root / "content" / "webinars" / f"{p['slug']}.md",
                   yaml_front_matter(p) + p["body"])
    elif target == "eleventy":
        _write(root / "eleventy.config.cjs", ELEVENTY_CONFIG)
        _write(root / "src" / "_includes" / "webinar.njk", ELEVENTY_LAYOUT)
        _write(
            root / "src" / "webinars" / "webinars.11tydata.json",
            json.dumps({"layout": "webinar.njk"}) + "\n",
        )
        for p in pages:
            _write(root / "src" / "webinars" / f"{p['slug']}.md", yaml_front_matter(p) + p["body"])
    elif target == "pelican":
        _write(root / "pelicanconf.py", PELICAN_CONFIG)
        _write(root / "pelicanconf_cache.py", PELICAN_CACHE_CONFIG)
        _write(root / "theme" / "templates" / "article.html", PELICAN_ARTICLE)
        (root / "theme" / "static").mkdir(parents=True)
        for p in pages:
            _write(root / "content" / f"{p['slug']}.md", pelican_metadata(p) + p["body"])
    elif target == "mkdocs":
        _write(root / "mkdocs.yml", MKDOCS_CONFIG)
        _write(root / "theme" / "main.html", MKDOCS_MAIN)
        for p in pages:
            _write(root / "docs" / "webinars" / f"{p['slug']}.md",
                   yaml_front_matter(p) + p["body"])
    else:  # pragma: no cover - argparse restricts choices
        raise ValueError(target)
    return root


# --------------------------------------------------------------------------
# site-gen's site: the same pages as real webinars
# --------------------------------------------------------------------------


def page_source(p: GeneratedPage, body: str) -> str:
    """One generated page as a site-gen webinar (the generator's fields, mapped).

    ``body`` is separate so that reload_bench.py can edit it; every page has
    the one host of ``site_config``, since site-gen hosts are accounts, not names.
    """
    tags = ", ".join(p["tags"])
    return (
        "---\n"
        f'title: "{p["title"]}"\n'
        f'description: "{p["description"]}"\n'
        f"tags: [{tags}]\n"
        "kind: webinar\n"
        "host: marketing\n"
        f'start: "{p["start"]}"\n'
        f'time_zone: "{p["time_zone"]}"\n'
        f"duration: {p['duration']}\n"
        "---\n\n" + body
    )


def site_config(*, domain: str | None = None) -> str:
    """The benchmark sites' ``site.toml``; ``domain`` sets ``[callbridge] domain``."""
    callbridge = f'api = "sandbox"\ndomain = "{domain}"' if domain else 'api = "sandbox"'
    return f"""\
[site]
title = "Bench Live"
base_url = "https://bench.example"
time_zone = "America/Toronto"

[callbridge]
{callbridge}

[hosts.marketing]
name = "Bench Marketing"
email = "marketing@bench.test"
host_id = 3
access_code = "1234567"
"""


def write_site(folder: Path, pages: list[GeneratedPage], config: str) -> None:
    """``site.toml`` and one content file per generated page."""
    (folder / "content").mkdir(parents=True)
    (folder / "site.toml").write_text(config)
    for p in pages:
        (folder / "content" / f"{p['slug']}.md").write_text(page_source(p, p["body"]))


# --------------------------------------------------------------------------
# Verification of a rendered site
# --------------------------------------------------------------------------

_IFRAME_RE = re.compile(r'<iframe src="' + re.escape(IFRAME_PREFIX) + r'([A-Za-z0-9]+)"')
_TITLE_RE = re.compile(r"<title>([^<]*)</title>")


def verify(html_dir: Path, pages: list[GeneratedPage]) -> list[str]:
    """What is wrong with a rendered site: a timing of a tool that skipped pages is void."""
    expected = {p["video_id"]: p["title"] for p in pages}
    seen: dict[str, int] = {}
    problems: list[str] = []
    for dirpath, _dirs, files in os.walk(html_dir):
        for name in files:
            if not name.endswith(".html"):
                continue
            text = Path(dirpath, name).read_text(encoding="utf-8", errors="replace")
            m = _IFRAME_RE.search(text)
            if not m:
                continue
            vid = m.group(1)
            seen[vid] = seen.get(vid, 0) + 1
            t = _TITLE_RE.search(text)
            if vid in expected and (not t or t.group(1).strip() != expected[vid]):
                problems.append(
                    f"{dirpath}/{name}: title {t.group(1) if t else None!r} != {expected[vid]!r}"
                )
    missing = [v for v in expected if v not in seen]
    dupes = [v for v, c in seen.items() if c > 1]
    extra = [v for v in seen if v not in expected]
    if missing:
        problems.append(f"{len(missing)} of {len(expected)} pages missing (first: {missing[0]})")
    if dupes:
        problems.append(f"{len(dupes)} pages rendered more than once (first: {dupes[0]})")
    if extra:
        problems.append(f"{len(extra)} unexpected iframe ids (first: {extra[0]})")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("-n", type=int, default=DEFAULT_N, help="number of pages (default %(default)s)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="RNG seed (default %(default)s)")
    ap.add_argument("--out", type=Path, help="output folder for the generated site(s)")
    ap.add_argument("--target", choices=(*TARGETS, "all"), default="all")
    ap.add_argument("--verify", type=Path, metavar="HTML_DIR", help="check a rendered site instead")
    args = ap.parse_args(argv)
    if args.n < 1:
        ap.error("-n must be >= 1")

    pages = make_pages(args.n, args.seed)

    if args.verify:
        problems = verify(args.verify, pages)
        for line in problems:
            print(f"verify: {line}", file=sys.stderr)
        if problems:
            return 1
        print(f"verify: ok, {args.n} pages with title and iframe in {args.verify}")
        return 0

    if not args.out:
        ap.error("--out is required (or use --verify)")
    targets = TARGETS if args.target == "all" else (args.target,)
    for t in targets:
        root = lay_out(t, pages, args.out)
        print(f"{t}: {args.n} pages in {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
