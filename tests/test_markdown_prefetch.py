"""Bodies converted ahead on an idle core: a build can only get faster, never different."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from site_gen.commands.build import BuildOptions, build
from site_gen.config.parsing import front_matter_body, split_front_matter
from site_gen.output import pool as render_pool
from site_gen.output.markdown_prefetch import MarkdownPrefetch, markdown_prefetch
from site_gen.render.markdown import MarkdownRenderer
from tests.helpers import NOW, SiteFactory, snapshot

PAGE = """\
---
title: "Page {i}"
host: marketing
tags: [talks]
---
## Agenda {i}

Some *text* with a [link](https://example.com/{i}) and `code`.

| a | b |
|---|---|
| {i} | x |
"""


def pages(n: int) -> dict[str, str | bytes]:
    return {f"content/page-{i:03}.md": PAGE.format(i=i) for i in range(n)}


def test_the_helper_converts_bodies_exactly_as_the_build_would(make_site: SiteFactory) -> None:
    root = make_site(pages(30))
    files = sorted((root / "content").glob("*.md"))
    adopted = MarkdownRenderer()
    for wait in (0.2, 1.0, 5.0):  # give it time to start; a loaded machine may need more
        helper = MarkdownPrefetch(root, {})
        time.sleep(wait)
        if helper.hand_over(adopted) == len(files):
            break
    else:
        pytest.fail("the helper converted no page in 5 s")
    fresh = MarkdownRenderer()
    for file in files:
        body = split_front_matter(file.read_text()).body
        assert adopted.convert(body) == fresh.convert(body)


def test_front_matter_body_is_the_body_the_build_reads() -> None:
    text = "\ufeff---\ntitle: x\n---\n\n# Hi\n---\nmore\n"
    assert front_matter_body(text) == split_front_matter(text).body == "\n# Hi\n---\nmore\n"
    toml = "+++\ntitle = 'x'\n+++\nbody"
    assert front_matter_body(toml) == split_front_matter(toml).body == "body"


def test_only_identical_bodies_and_settings_are_reused() -> None:
    markdown = MarkdownRenderer()
    markdown.adopt({"old text": "<p>stale</p>"}, unsafe_html=False)
    assert markdown.convert("new text") == "<p>new text</p>"  # the file changed since
    unsafe = MarkdownRenderer(unsafe_html=True)
    unsafe.adopt({"<b>x</b>": "<p>&lt;b&gt;x&lt;/b&gt;</p>"}, unsafe_html=False)
    assert unsafe.convert("<b>x</b>") == "<p><b>x</b></p>"  # other settings: not taken


def test_a_broken_site_toml_hands_over_nothing_without_waiting(make_site: SiteFactory) -> None:
    root = make_site(pages(3), config="[site\n")
    helper = MarkdownPrefetch(root, {})
    assert helper.hand_over(MarkdownRenderer()) == 0


def test_only_started_when_the_pool_would_run(
    make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site(pages(5))
    monkeypatch.setattr(render_pool, "available_cores", lambda: 2)
    with markdown_prefetch(root, {}) as helper:
        assert helper is None  # 5 pages: below PARALLEL_MIN_PAGES
    monkeypatch.setattr(render_pool, "PARALLEL_MIN_PAGES", 5)
    with markdown_prefetch(root, {}) as helper:
        assert helper is not None
    monkeypatch.setattr(render_pool, "available_cores", lambda: 1)
    with markdown_prefetch(root, {}) as helper:
        assert helper is None


def test_build_output_is_the_same_with_and_without_the_helper(
    make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = make_site(pages(40))
    monkeypatch.setattr(render_pool, "available_cores", lambda: 2)
    monkeypatch.setattr(render_pool, "PARALLEL_MIN_PAGES", 10**9)  # serial, no helper
    build(root, BuildOptions(now=NOW, environ={}, out=tmp_path / "plain"))
    handed: list[int] = []
    hand_over = MarkdownPrefetch.hand_over

    def counting(self: MarkdownPrefetch, markdown: MarkdownRenderer) -> int:
        handed.append(hand_over(self, markdown))
        return handed[-1]

    monkeypatch.setattr(MarkdownPrefetch, "hand_over", counting)
    monkeypatch.setattr(render_pool, "PARALLEL_MIN_PAGES", 10)  # pool and helper
    build(root, BuildOptions(now=NOW, environ={}, out=tmp_path / "ahead"))
    assert handed and handed[0] > 0
    assert snapshot(tmp_path / "ahead") == snapshot(tmp_path / "plain")


def test_a_failed_build_ends_the_helper_without_reading_its_results(
    make_site: SiteFactory,
) -> None:
    # Far more converted HTML than a pipe holds: the helper blocks sending it
    # unless the build's closed end makes its send fail, so it exits by itself
    # instead of being killed after the join's timeout.
    root = make_site(pages(200))
    helper = MarkdownPrefetch(root, {})
    time.sleep(0.5)
    helper.close()
    assert helper.exitcode == 0
