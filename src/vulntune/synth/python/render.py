"""Render a `Plan` into a Python module: imports, module constants, helpers, benign code, and the
handler in which the source value propagates to the sink.

Placeholders every snippet may use (besides the pool roles of `surface.ROLES`):
    $var, $out, $param    source variable, propagated variable, request field name
    $value, $other        what the sink consumes and what the side line logs ($out / $const)
    $const                the server-side constant of untainted twins
    $lit, $choices        a constant of the sink's value kind; a tuple of them (allow-lists)
    $pre/$suf, $ppre/$psuf, $bpre/$bsuf   affixes as code, %-escaped and brace-escaped text
    $cond_t, $cond_f      constant conditions (always true / always false)
    $reject               the framework's way to refuse a request
    $func, $route, $entity, $Entity, $table, $field, $Model ...   the sample's vocabulary

Twins render from one plan: all randomness comes from `random.Random(plan.seed)` and is drawn
before the label is looked at, so the twins differ only where the pair kind says they do.
"""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass
from string import Template

from vulntune.synth.plan import Plan, Rendered
from vulntune.synth.python import sources as _sources
from vulntune.synth.python.surface import Surface, draw, indent, merge_imports, styled
from vulntune.synth.template import REGISTRY

_IDENT = re.compile(r"[A-Za-z_]\w*")
_FROM = re.compile(r"from\s+([\w.]+)\s+import\s+(.+)")
_SLOTS = 16  # module-level constant slots, ordered by one random key each


@functools.lru_cache(maxsize=4096)
def _template(text: str) -> Template:
    return Template(text)


@functools.lru_cache(maxsize=4096)
def _body_indent(header: str) -> int:
    last = header.rsplit("\n", 1)[-1]
    return len(last) - len(last.lstrip()) + 4


@dataclass(kw_only=True)
class Composition:
    """The pieces a sample's module is laid out from, before placeholders are substituted.

    `render` lays them out as a template module; `vulntune.synth.context` splices `body` into a
    real function instead. Texts hold `$name` placeholders (filled from `names`) and the sink
    line's `@@` marker.

    Attributes:
        names: placeholder values.
        surface: the drawn surface.
        body: the handler body at indentation 0, as (role, text): roles "doc", "decoy", "const",
            "read", "prop", "kill", "log", "comment", "sink", "tail".
        header: the handler's decorators and signature.
        constants: module-level constants and non-block helpers, in their drawn order.
        module_parts: the module's top (the source's prelude, the logger, the constants).
        blocks: the top-level blocks of the module in order, the handler among them.
        helpers: the propagation's helper block and the sink's helper and function (when used).
        imports: import lines the pieces may use (placeholders unfilled, unused ones kept).
    """

    names: dict[str, str]
    surface: Surface
    body: list[tuple[str, str]]
    header: str
    constants: list[str]
    module_parts: list[str]
    blocks: list[str]
    helpers: list[str]
    imports: list[str]


def render(plan: Plan) -> Rendered:
    """The code of one sample and the line of its sink call (in the handler, the sink function or
    the sink's helper)."""
    return _layout(compose(plan))


def compose(plan: Plan) -> Composition:
    """Every piece of one sample; all random choices are drawn here."""
    source, prop, sink = plan.source, plan.propagation, plan.sink
    rng = random.Random(plan.seed)
    surface = draw(rng, REGISTRY.vocabulary("python", plan.cwe), sink, source.framework, _request_kind(source))
    slot_keys = [rng.random() for _ in range(_SLOTS)]
    names = surface.names
    single = surface.single_quotes
    safe = plan.label == "safe"
    kind = plan.pair_kind

    def st(text: str, hints: bool = True) -> str:
        return styled(text, single, hints)

    # The server-side constant (untainted twins; sometimes present anyway) and the sink's value.
    use_const = kind == "untainted" or surface.const_decoy
    const_stmt = ""
    extra_imports = list(surface.extra_imports)
    module_const = ""
    if use_const:
        scope = surface.const_scope
        if scope == "module":
            names["const"] = names["CKEY"]
            module_const = "$const = $lit"
        else:
            names["const"] = names["ckey"]
            if scope == "local":
                const_stmt = "$const = $lit"
            elif source.framework == "flask":
                const_stmt = '$const = current_app.config.get("$CKEY", $lit)'
                extra_imports.append("from flask import current_app")
            elif source.framework == "django":
                const_stmt = '$const = getattr(settings, "$CKEY", $lit)'
                extra_imports.append("from django.conf import settings")
            else:
                const_stmt = '$const = $SETTINGS.get("$ckey", $lit)'
                if not any(c.startswith("$SETTINGS") for c in surface.constants):
                    surface.constants.append('$SETTINGS = {"page_size": "20", "$ckey": $lit, "$ofield": "$odef"}')
        if safe and kind == "untainted":
            names["value"], names["other"] = names["const"], names["out"]
        else:
            names["value"], names["other"] = names["out"], names["const"]
        names["log_other"] = names["log_fmt"].format(names["other"])
    else:
        names["value"] = names["out"]

    code, fix_imports, fix_prelude, sink_helper = sink.vulnerable, (), "", sink.helper
    if safe and kind == "fix" and plan.fix is not None:
        code, fix_imports, fix_prelude = plan.fix.code, plan.fix.imports, plan.fix.prelude
        sink_helper = plan.fix.helper or sink.helper
    kill_text, kill_prelude = "", ""
    if kind == "taint-killed" and plan.kill is not None:
        kill_text = plan.kill.safe if safe else plan.kill.vulnerable
        kill_prelude = plan.kill.prelude
    guard_cond, guard_prelude = "", ""
    if kind == "unreached" and plan.guard is not None:
        guard = plan.guard
        guard_cond = guard.unreached if safe else guard.reached
        guard_prelude = guard.prelude_unreached if safe else guard.prelude_reached

    # The sink block, inline or in a module function the handler calls (same choice for both twins).
    sink_block, sink_function = st(code), ""
    if surface.sink_helper and _helper_fits(sink, names["reject"]):
        sink_function = "def $sinkfn($sinkarg):\n" + indent(st(code).replace("$value", "$sinkarg"), 4)
        sink_block = ("return " if sink.returns else "") + "$sinkfn($value)"

    # The handler body, at relative indentation 0.
    body = [("doc", f'"""{surface.handler_doc}"""')] if surface.handler_doc else []
    body.extend(("decoy", st(d)) for d in surface.pre_decoys)
    if const_stmt and surface.const_early:
        body.append(("const", st(const_stmt)))
    if source.read:
        body.append(("read", st(source.read)))
    body.extend(("decoy", st(d)) for d in surface.mid_decoys)
    body.append(("prop", st(prop.lines)))
    if const_stmt and not surface.const_early:
        body.append(("const", st(const_stmt)))
    if kill_text:
        body.append(("kill", st(kill_text)))
    if use_const:
        body.append(("log", "$log_other"))
    if surface.step_comment:
        body.append(("comment", surface.step_comment))
    if guard_cond:
        body.append(("sink", st(f"if {guard_cond}:") + "\n" + indent(sink_block, 4)))
    else:
        body.append(("sink", sink_block))
    if source.tail and (guard_cond or not sink.returns):
        body.append(("tail", st(source.tail)))
    header = st(source.header)
    handler = header + "\n" + indent("\n".join(text for _, text in body), _body_indent(source.header))

    # Module level: the source's prelude first (it creates the app), then constants in a drawn order.
    slots = [sink.prelude, fix_prelude, kill_prelude, guard_prelude, module_const]
    helper = prop.helper
    helper_is_block = helper.startswith(("def ", "class ", "@"))
    if helper and not helper_is_block:
        slots.append(helper)
    slots.extend(surface.constants)
    if len(slots) > _SLOTS:
        raise AssertionError(f"{len(slots)} module constants, only {_SLOTS} ordering slots")
    constants = [st(text) for _, text in sorted(zip(slot_keys, slots), key=lambda pair: pair[0]) if text]
    module_parts = []
    if source.prelude:
        module_parts.append(st(source.prelude))
    if surface.logging:
        module_parts.append("$logger = logging.getLogger(__name__)")
        extra_imports.append("import logging")
    if constants:
        block = "\n".join(constants)
        if surface.comment:
            block = surface.comment + "\n" + block
        module_parts.append(block)

    blocks = [st(b, surface.hints) for b in surface.before]
    helper_block = st(helper, surface.hints) if helper and helper_is_block else ""
    if helper_block and not surface.helper_after:
        blocks.append(helper_block)
    # The sink's own helper (a wrapper, a class) sits with the sink function, on the same side.
    sink_blocks = [st(sink_helper, surface.hints)] if sink_helper else []
    if sink_function:
        sink_blocks.append(sink_function)
    if not surface.sink_helper_after:
        blocks.extend(sink_blocks)
    blocks.append(handler)
    if surface.sink_helper_after:
        blocks.extend(sink_blocks)
    if helper_block and surface.helper_after:
        blocks.append(helper_block)
    blocks.extend(st(b, surface.hints) for b in surface.after)
    trailer = _sources.TRAILERS.get(source.id, "")
    if not trailer and surface.trailer and "$app" in source.prelude:
        trailer = _sources.OPTIONAL_TRAILERS.get(source.framework, "")
    if trailer:
        blocks.append(st(trailer))
        extra_imports.extend(_sources.TRAILER_IMPORTS.get(source.id, ()))

    names["router"] = names["bp"] if "$bp" in source.prelude else names["app"]
    imports = [*source.imports, *prop.imports, *sink.imports, *fix_imports, *extra_imports, surface.reject_import]
    return Composition(
        names=names,
        surface=surface,
        body=body,
        header=header,
        constants=constants,
        module_parts=module_parts,
        blocks=blocks,
        helpers=[b for b in (helper_block, *sink_blocks) if b],
        imports=imports,
    )


def _layout(comp: Composition) -> Rendered:
    """The template module: its top, the blocks, the imports that are used, and the sink line."""
    surface, names, module_parts = comp.surface, comp.names, comp.module_parts
    layout = "\n\n".join(module_parts)
    if layout:
        layout += surface.blank
    layout += surface.blank.join(comp.blocks) + "\n"
    text = _template(layout).substitute(names)

    marker = text.find("@@")
    sink_line = text.count("\n", 0, marker) + 1
    text = text[:marker] + text[marker + 2 :]

    idents = set(_IDENT.findall(text))
    kept = used_imports(_template("\n".join(i for i in comp.imports if i)).substitute(names).split("\n"), idents, text)
    head = merge_imports(kept, surface.import_style)
    if surface.docstring:
        head = '"""' + _template(surface.docstring).substitute(names) + '"""\n\n' + head
    head += "\n\n" if module_parts else surface.blank
    sink_line += head.count("\n")
    return Rendered(code=head + text, sink_line=sink_line)


_REQUEST_KINDS: dict[str, str] = {}


def _request_kind(source) -> str:
    """How a handler of this source can read an unrelated input (see `surface.draw`)."""
    kind = _REQUEST_KINDS.get(source.id)
    if kind is None:
        if source.framework in ("flask", "django"):
            kind = source.framework
        elif "request: Request" in source.header:
            kind = "starlette"
        elif source.framework in ("cli", "stdlib"):
            kind = "environ"
        else:
            kind = ""
        _REQUEST_KINDS[source.id] = kind
    return kind


_HELPER_FITS: dict[str, tuple[bool, bool]] = {}


def _helper_fits(sink, reject: str) -> bool:
    """Whether every variant of the sink can move into a module function: it must not read the
    handler's own names (`request`, `self`) nor reject by returning a response, and must not have a
    helper of its own (the slice follows one level of callers: the handler must call the helper)."""
    fits = _HELPER_FITS.get(sink.id)
    if fits is None:
        texts = [sink.vulnerable, *(f.code for f in sink.fixes)]
        own_helper = bool(sink.helper or any(f.helper for f in sink.fixes))
        fits = (
            not own_helper and not any(re.search(r"\b(request|self)\b", t) for t in texts),
            any("$reject" in t for t in texts),
        )
        _HELPER_FITS[sink.id] = fits
    return fits[0] and not (fits[1] and reject.startswith("return"))


def used_imports(lines: list[str], idents: set[str], text: str) -> list[str]:
    """The import lines (and from-import names) the code uses."""
    kept = []
    for line in lines:
        if not line:
            continue
        m = _FROM.match(line)
        if m:
            used = [n.strip() for n in m.group(2).split(",") if n.strip().split(" as ")[-1] in idents]
            if used:
                kept.append(f"from {m.group(1)} import {', '.join(used)}")
            continue
        module = line.split()[1]
        if ("." in module and module + "." in text) or module in idents:
            kept.append(line)
    return kept
