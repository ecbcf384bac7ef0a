"""The layout tells the truth: the code map, the error tree and the layers match the code."""

from __future__ import annotations

import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import site_gen
from site_gen.callbridge import errors as api_errors
from site_gen.errors import SiteGenError

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "site_gen"
TREE_LINE = re.compile(r"^(?P<indent>(?:│   |    )*)(?P<glyph>├── |└── )?(?P<name>[A-Z]\w+)\s")


def code_map() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text[text.index("## Code map") :]


def test_the_code_map_lists_every_module_and_package() -> None:
    listed = set(re.findall(r"^\| `(site_gen/[^`]*)` \|", code_map(), flags=re.MULTILINE))
    wanted = set()
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if "__pycache__" in rel.parts:
            continue
        if path.name == "__init__.py" and path.parent != PACKAGE:
            wanted.add(rel.parent.as_posix() + "/")
        else:
            wanted.add(rel.as_posix())
    assert sorted(wanted - listed) == [], "missing from README.md's code map"
    assert sorted(listed - wanted) == [], "listed in README.md's code map but not in the code"


def tree(docstring: str) -> dict[str, str | None]:
    """Class name → the name of its parent, from a tree drawn with ├── and └── (indented 4)."""
    parents: dict[str, str | None] = {}
    stack: list[str] = []
    for line in docstring.splitlines():
        found = TREE_LINE.match(line[4:]) if line.startswith("    ") else None
        if found is None:
            continue
        depth = len(found["indent"]) // 4 + (1 if found["glyph"] else 0)
        del stack[depth:]
        parents[found["name"]] = stack[-1] if stack else None
        stack.append(found["name"])
    return parents


def every_error_class() -> dict[str, str]:
    """Every SiteGenError subclass in site_gen (all modules imported), with its parent."""
    for info in pkgutil.walk_packages(site_gen.__path__, "site_gen."):
        if info.name not in ("site_gen.__main__",):
            importlib.import_module(info.name)
    found: dict[str, str] = {}

    def visit(cls: type[SiteGenError]) -> None:
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("site_gen."):
                found[sub.__name__] = cls.__name__
                visit(sub)

    visit(SiteGenError)
    return found


def test_the_error_trees_drawn_in_the_docstrings_are_the_classes() -> None:
    drawn = tree(site_gen.errors.__doc__ or "")
    api = tree(api_errors.__doc__ or "")
    assert drawn.pop("SiteGenError") is None
    assert api.pop("SiteGenError") is None
    drawn.update({name: parent for name, parent in api.items() if name != "ApiError"})
    assert drawn == every_error_class()


def test_the_import_layers_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
