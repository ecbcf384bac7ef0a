"""Templates' constant words, translated when a template compiles instead of at every render.

A page of the default theme asks gettext for about a hundred messages, and
most are constants: ``{% trans %}Join{% endtrans %}``, ``_("All events")``.
Each environment has one language (the Renderer's catalogs), so such a
message has one answer for the environment's life: it is written into the
template as a constant, which Jinja then merges with the template's own
text. A page in French costs what the English one did before the catalogs.

Only calls whose answer cannot change are replaced: ``_``/``gettext`` with
one literal string and nothing else, and ``ngettext`` with literal strings
and a literal number, each the whole of an output (``{{ _("...") }}``, a
``{% trans %}`` block); inside an expression (``_("a") ~ b``) Jinja's own
constant folding would turn the ``Markup`` into a plain string. Messages
with variables (``_("%(n)s left", n=x)``), plurals of a variable number,
and any template that binds one of those names itself (``{% set _ = ...
%}``, a macro argument) keep their calls.
The value is what the call would return (``Markup`` under autoescape, the
``%`` format applied), so the output is the same byte for byte; a catalog
that changes makes a new Renderer, and with it new compiled templates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.visitor import NodeTransformer

__all__ = ["TranslatedEnvironment"]

_GETTEXT = frozenset({"_", "gettext"})
_NGETTEXT = "ngettext"
_NAMES = _GETTEXT | {_NGETTEXT}


def _literal(node: nodes.Node) -> Any:
    """A Const's value, or None for anything else."""
    return node.value if isinstance(node, nodes.Const) else None


def _translated(text: str, variables: dict[str, Any]) -> str | None:
    """``text % variables`` as the template callables format it; None if that fails at runtime."""
    try:
        return text % variables
    except (KeyError, TypeError, ValueError):
        return None  # left to the call, which fails (or not) as it always did


class _Fold(NodeTransformer):
    def __init__(self, gettext: Callable[[str], str], ngettext: Callable[[str, str, int], str]):
        self.gettext = gettext
        self.ngettext = ngettext

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        # Only a call that is a whole output ({{ _("...") }}, {% trans %}): inside an
        # expression (``_("a") ~ b``) Jinja's own constant folding would drop Markup.
        node.nodes = [self._folded(child) for child in node.nodes]
        return node

    def _folded(self, child: nodes.Expr) -> nodes.Expr:
        value = self._value(child) if isinstance(child, nodes.Call) else None
        if value is None:
            return child
        const = nodes.Const(value, lineno=child.lineno)
        return nodes.MarkSafeIfAutoescape(const, lineno=child.lineno)

    def _value(self, node: nodes.Call) -> str | None:
        target = node.node
        if not isinstance(target, nodes.Name) or target.name not in _NAMES or target.ctx != "load":
            return None
        if node.kwargs or node.dyn_args is not None or node.dyn_kwargs is not None:
            return None
        args = [_literal(a) for a in node.args]
        if target.name in _GETTEXT:
            if len(args) != 1 or not isinstance(args[0], str):
                return None
            return _translated(str(self.gettext(args[0])), {})
        if (
            len(args) != 3
            or not isinstance(args[0], str)
            or not isinstance(args[1], str)
            or type(args[2]) is not int
        ):
            return None
        num: int = args[2]
        return _translated(str(self.ngettext(args[0], args[1], num)), {"num": num})


def _rebinds_gettext(tree: nodes.Template) -> bool:
    """Whether the template names ``_``, ``gettext`` or ``ngettext`` itself (set, for, macro...)."""
    return any(n.name in _NAMES and n.ctx != "load" for n in tree.find_all(nodes.Name)) or any(
        (
            isinstance(n, nodes.FromImport)
            and any((name if isinstance(name, str) else name[-1]) in _NAMES for name in n.names)
        )
        or (isinstance(n, nodes.Import) and n.target in _NAMES)
        for n in tree.find_all((nodes.FromImport, nodes.Import))
    )


class TranslatedEnvironment(jinja2.Environment):
    """A Jinja environment of one language whose constant messages are compiled in.

    ``translations`` answers ``gettext``/``ngettext`` (a Babel or gettext
    translations object); templates' own calls go to the callables the
    Renderer installs, which answer the same.
    """

    def __init__(self, translations: Any, key: str = "", **options: Any) -> None:
        super().__init__(**options)
        #: What the compiled-in words come from (the catalogs' fingerprint): part
        #: of the key of compiled code shared between environments (ThemeLoader.load).
        self.translations_key = key
        self._fold = _Fold(translations.gettext, translations.ngettext)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        if _rebinds_gettext(tree):
            return tree
        folded = self._fold.visit(tree)
        assert isinstance(folded, nodes.Template)
        folded.set_environment(self)
        return folded
