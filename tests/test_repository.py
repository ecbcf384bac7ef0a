"""The repository stands alone: a clone can reproduce the benchmarks without anything beside it."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "bench" / "pages.py"

#: Paths of a folder that lived beside the checkout and is not in a clone. Built
#: from parts so that this file does not name them itself.
OUTSIDE = ("/".join(["..", "shared"]), "/".join(["", "work", "shared"]))

#: sha256 of ``pages.py -n 20 --out DIR`` (all layouts, default seed): the output
#: of the generator the published figures were measured with. A change here
#: means the benchmarks no longer time the same pages.
PAGES_N20_SHA256 = "b692e4ecd005ddf6827ca67ed57d983e9245d042664249ff2846adc6bcf49270"


def tracked_files() -> list[str]:
    """Every file git tracks, relative to the root."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60,
        )
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"not a git checkout ({error})")
    return [name for name in listed.stdout.decode().split("\0") if name]


def references_outside(name: str) -> list[str]:
    """``file:line: text`` for each line of a tracked file that points outside the repository."""
    path = ROOT / name
    if path.is_symlink():
        target = os.readlink(path)
        return [f"{name}: symlink to {target}" for needle in OUTSIDE if needle in target][:1]
    if not path.is_file():  # deleted in the work tree, not yet committed
        return []
    data = path.read_bytes()
    if b"\0" in data:  # binary: images, fonts
        return []
    found = []
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        if any(needle in line for needle in OUTSIDE):
            found.append(f"{name}:{number}: {line.strip()}")
    return found


def test_nothing_refers_outside_the_repository() -> None:
    names = tracked_files()
    assert "bench/pages.py" in names
    found = [hit for name in names for hit in references_outside(name)]
    assert found == [], "references to a folder outside the repository:\n" + "\n".join(found)


def generate(out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PAGES), *args, "--out", str(out)],
        capture_output=True, text=True, check=True, timeout=120,
    )


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def digest(files: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for name, data in sorted(files.items()):
        h.update(name.encode() + b"\0" + data + b"\0")
    return h.hexdigest()


def test_the_generator_is_deterministic(tmp_path: Path) -> None:
    generate(tmp_path / "a", "-n", "20")
    generate(tmp_path / "b", "-n", "20")
    first, second = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert len(first) == 110  # 20 pages x 5 layouts + 10 configs and layouts
    assert first == second
    assert digest(first) == PAGES_N20_SHA256
    generate(tmp_path / "c", "-n", "20", "--seed", "7", "--target", "plain")
    assert tree(tmp_path / "c") != {k: v for k, v in first.items() if k.startswith("plain/")}


def verify(html: Path, n: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PAGES), "-n", str(n), "--verify", str(html)],
        capture_output=True, text=True, check=False, timeout=120,
    )


def test_verify_accepts_its_own_plain_layout_rendered(tmp_path: Path) -> None:
    """Each plain page through a stand-in for the peers' one layout: title and iframe."""
    generate(tmp_path / "pages", "-n", "20", "--target", "plain")
    html = tmp_path / "html"
    for source in sorted((tmp_path / "pages" / "plain" / "content").glob("*.md")):
        meta = yaml.safe_load(source.read_text().split("---\n")[1])
        page = html / source.stem / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(
            f"<!doctype html>\n<title>{meta['title']}</title>\n"
            f'<iframe src="https://player.example.com/embed/{meta["video_id"]}"></iframe>\n'
        )
    done = verify(html, 20)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("verify: ok, 20 pages")

    (html / "webinar-00007" / "index.html").unlink()
    done = verify(html, 20)
    assert done.returncode == 1
    assert "1 of 20 pages missing" in done.stderr
