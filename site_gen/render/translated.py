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

A loop over ``plural_samples`` (the language's plural categories, one
sample number each: how the countdown gives site-gen.js every form of
"day") is unrolled first, so its ``ngettext`` calls fold too: the loop
would otherwise make the same dozen calls on every page. It is unrolled
only when its body is plain output of the loop's two names (no ``loop``,
no filter test, no ``else``, nothing assigned).
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
_SAMPLES = "plural_samples"
#: Names a template may not bind itself for its calls and loops to be folded.
_FOLDED = _NAMES | {_SAMPLES}


def _literal(node: nodes.Node) -> Any:
    """A Const's value, or None for anything else."""
    return node.value if isinstance(node, nodes.Const) else None


def _translated(text: str, variables: dict[str, Any]) -> str | None:
    """``text % variables`` as the template callables format it; None if that fails at runtime."""
    try:
        return text % variables
    except (KeyError, TypeError, ValueError):
        return None  # left to the call, which fails (or not) as it always did


def _instance(node: Any, values: dict[str, object]) -> Any:
    """A copy of a loop body's node with the loop's names read as one iteration's values.

    Copied field by field: a node's ``environment`` attribute is shared, not
    copied (``copy.deepcopy`` would copy the environment with it).
    """
    if isinstance(node, list):
        return [_instance(child, values) for child in node]
    if not isinstance(node, nodes.Node):
        return node
    if isinstance(node, nodes.Name) and node.ctx == "load" and node.name in values:
        const = nodes.Const(values[node.name], lineno=node.lineno)
        const.environment = node.environment
        return const
    copy = object.__new__(type(node))
    for name in node.fields:
        setattr(copy, name, _instance(getattr(node, name), values))
    for name in node.attributes:
        setattr(copy, name, getattr(node, name, None))
    return copy


def _unrollable(node: nodes.For) -> list[str] | None:
    """The loop's two target names if it can be unrolled over ``plural_samples``, else None."""
    if not (
        isinstance(node.iter, nodes.Name)
        and node.iter.name == _SAMPLES
        and node.iter.ctx == "load"
        and not node.else_
        and node.test is None
        and not node.recursive
        and isinstance(node.target, nodes.Tuple)
        and len(node.target.items) == 2
        and all(isinstance(t, nodes.Name) for t in node.target.items)
        and all(isinstance(n, (nodes.Output, nodes.TemplateData)) for n in node.body)
    ):
        return None
    targets = [t.name for t in node.target.items if isinstance(t, nodes.Name)]
    for body in node.body:
        for name in body.find_all(nodes.Name):
            if name.name == "loop" or (name.ctx != "load" and name.name in targets):
                return None
    return targets


class _Fold(NodeTransformer):
    def __init__(
        self,
        gettext: Callable[[str], str],
        ngettext: Callable[[str, str, int], str],
        plural_samples: tuple[tuple[str, int], ...] | None,
    ):
        self.gettext = gettext
        self.ngettext = ngettext
        self.plural_samples = plural_samples

    def visit_For(self, node: nodes.For) -> nodes.Node | list[nodes.Node]:
        samples = self.plural_samples
        targets = _unrollable(node) if samples is not None else None
        if samples is None or targets is None:
            return self.generic_visit(node)
        unrolled: list[nodes.Node] = []
        for sample in samples:
            values = dict(zip(targets, sample, strict=True))
            for body in node.body:
                unrolled.append(self.visit(_instance(body, values)))
        return unrolled

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
    """Whether the template binds ``_``, ``gettext``, ``ngettext`` or ``plural_samples`` itself."""
    return any(n.name in _FOLDED and n.ctx != "load" for n in tree.find_all(nodes.Name)) or any(
        (
            isinstance(n, nodes.FromImport)
            and any((name if isinstance(name, str) else name[-1]) in _FOLDED for name in n.names)
        )
        or (isinstance(n, nodes.Import) and n.target in _FOLDED)
        for n in tree.find_all((nodes.FromImport, nodes.Import))
    )


class TranslatedEnvironment(jinja2.Environment):
    """A Jinja environment of one language whose constant messages are compiled in.

    ``translations`` answers ``gettext``/``ngettext`` (a Babel or gettext
    translations object); templates' own calls go to the callables the
    Renderer installs, which answer the same. ``plural_samples`` is the
    global of that name, if the environment has one (loops over it unroll).
    """

    def __init__(
        self,
        translations: Any,
        key: str = "",
        *,
        plural_samples: tuple[tuple[str, int], ...] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        #: What the compiled-in words come from (the catalogs' fingerprint and the
        #: language's plural categories): part of the key of compiled code shared
        #: between environments (ThemeLoader.load).
        self.translations_key = f"{key} {plural_samples!r}"
        self._fold = _Fold(translations.gettext, translations.ngettext, plural_samples)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        if _rebinds_gettext(tree):
            return tree
        folded = self._fold.visit(tree)
        assert isinstance(folded, nodes.Template)
        folded.set_environment(self)
        return folded
