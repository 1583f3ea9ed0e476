"""Taint across functions and files: a call graph of the scanned tree, function summaries, threat models.

`vulntune.analysis.flow` leaves what one file cannot decide symbolic: a parameter's taint, a call's
result. Here the calls are resolved within the scanned tree (same file and class, `self.m()`,
`from x import f`, a module alias, a class's own and inherited methods, Java calls on a declared
type and on the implementations of an interface, constructors), and solved to a fixed point:

1. **Summaries**: for each function, which of its parameters (and which sources) reach its return
   value, each with the weaknesses it has been sanitised for on the way.
2. **Parameters**: what reaches each parameter from its callers' arguments, across files.
3. **Candidates**: a candidate sink is reachable when a source the threat model counts reaches it
   unsanitised for its weakness.

Threat models (as CodeQL's): `remote` counts what a network peer sends (request data, framework
entry points, sockets); `local` adds the command line, the environment, files and standard input;
`all` adds the parameters of functions no scanned code calls, as a lone function of an evaluation
set needs. A call no scanned function answers carries its arguments and receiver to its result.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from vulntune.analysis.flow import EMPTY, CallSite, FileFlow, Taint
from vulntune.cwe import CATALOGUE
from vulntune.errors import VulntuneError

THREAT_MODELS = ("remote", "local", "all")
_COUNTED = {"remote": {"remote"}, "local": {"remote", "local"}, "all": {"remote", "local", "parameter"}}
MAX_ROUNDS = 50  # fixed-point rounds before the solver stops growing (a bound, not a guess: rounds are monotone)
# Origins a parameter or field holds per source kind and cleaned set (`Program.solve`'s admit). A
# verdict needs one: whether a value of a counted kind, not cleaned for the weakness, arrives; more
# only offer other paths to show. Unbounded, threat model `all` carries every uncalled caller's
# parameters into each shared helper of a large repository (100k lines of Java: thousands of
# origins per parameter, and the solve did not end in 10 minutes).
ORIGINS_KEPT = 4


def check_threat_model(name: str) -> str:
    if name not in THREAT_MODELS:
        raise VulntuneError(f"unknown threat model {name!r} (expected one of {', '.join(THREAT_MODELS)})")
    return name


@dataclass(kw_only=True, frozen=True)
class Step:
    """One step of a finding's path: where untrusted data enters, a call that carries it, the sink."""

    kind: str  # "source", "call", "sink"
    file: str
    line: int
    label: str


@dataclass(kw_only=True, frozen=True)
class Reach:
    """A candidate's verdict under a threat model: `reachable`, and one path that shows why."""

    reachable: bool
    dead: bool
    path: tuple[Step, ...] = ()
    decided: bool = True  # False: the flow analysis could not follow the candidate's scope


FunctionKey = tuple[int, int]  # (file index, function index)


class Program:
    """The scanned files' flows, their call graph and its solution (see the module doc)."""

    def __init__(self, flows: Sequence[FileFlow]) -> None:
        self.flows = list(flows)
        self._file_index = {flow.file: f for f, flow in enumerate(self.flows)}
        self._checks: dict[str, frozenset] = {}
        self._index()
        self.summaries: dict[FunctionKey, Taint] = {}
        self.site_values: dict[tuple[int, int], Taint] = {}
        # what `solve` found for its threat model: facts at each parameter and field, and the call that
        # first carried each fact into a parameter (`path`)
        self._parameter_facts: dict[FunctionKey, list[set]] = {}
        self._field_facts: dict[tuple[str, str], set] = defaultdict(set)
        self._via: dict[tuple[FunctionKey, int, tuple], tuple[int, int]] = {}
        self._solve_summaries()

    # -- the call graph -----------------------------------------------------------------------------

    def _index(self) -> None:
        self.by_module: dict[str, list[int]] = defaultdict(list)
        self.functions_by_name: dict[tuple[int, str, str], list[FunctionKey]] = defaultdict(list)
        self.methods_by_class: dict[tuple[str, str], list[FunctionKey]] = defaultdict(list)
        self.subtypes: dict[str, set[str]] = defaultdict(set)
        self.supertypes: dict[str, set[str]] = defaultdict(set)
        for f, flow in enumerate(self.flows):
            self.by_module[flow.module].append(f)
            for function in flow.functions:
                key = (f, function.index)
                self.functions_by_name[(f, function.owner, function.name)].append(key)
                if function.owner:
                    self.methods_by_class[(function.owner, function.name)].append(key)
            for cls, supers in flow.classes:
                for parent in supers:
                    self.subtypes[parent].add(cls)
                    self.supertypes[cls].add(parent)
        self.targets: dict[tuple[int, int], list[FunctionKey]] = {}
        self.callers: dict[FunctionKey, list[tuple[int, int]]] = defaultdict(list)
        for f, flow in enumerate(self.flows):
            for site in flow.sites:
                found = self._resolve(f, site)
                self.targets[(f, site.index)] = found
                for target in found:
                    self.callers[target].append((f, site.index))

    def _resolve(self, f: int, site: CallSite) -> list[FunctionKey]:
        flow = self.flows[f]
        name = site.callee[-1]
        caller = flow.functions[site.function]
        if site.receiver_type in ("self", "super"):  # the caller's own class (or its parents) first
            classes = [caller.owner] if site.receiver_type == "self" else []
            for cls in classes + self._ancestors(caller.owner):
                found = self.methods_by_class.get((cls, name))
                if found:
                    return list(found)
            return []
        if flow.language == "java":
            if name == site.receiver_type:  # a constructor
                return list(self.methods_by_class.get((name, "<init>"), ()))
            found = list(self.methods_by_class.get((site.receiver_type, name), ()))
            for cls in sorted(self._descendants(site.receiver_type)):
                found.extend(self.methods_by_class.get((cls, name), ()))
            if not found:
                for cls in self._ancestors(site.receiver_type):
                    found.extend(self.methods_by_class.get((cls, name), ()))
                    if found:
                        break
            return found
        # Python
        if site.receiver_type:
            found = list(self.methods_by_class.get((site.receiver_type, name), ()))
            if not found:
                for cls in self._ancestors(site.receiver_type):
                    found.extend(self.methods_by_class.get((cls, name), ()))
                    if found:
                        break
            return found
        if len(site.callee) == 1 and site.resolved == site.callee:
            found = list(self.functions_by_name.get((f, "", name), ()))
            if not found:
                found = list(self.methods_by_class.get((name, "__init__"), ()))
            return found
        module = ".".join(site.resolved[:-1])
        found = []
        for other in self._modules(module):
            found.extend(self.functions_by_name.get((other, "", name), ()))
        if not found:  # an imported class called: its constructor
            found.extend(self.methods_by_class.get((name, "__init__"), ()))
        if not found and len(site.resolved) >= 2:  # module.Class.method
            found.extend(self.methods_by_class.get((site.resolved[-2], name), ()))
        return found

    def _modules(self, dotted_name: str) -> list[int]:
        if not dotted_name:
            return []
        out = []
        for module, files in self.by_module.items():
            if (
                module == dotted_name
                or module.endswith("." + dotted_name)
                or (module.endswith(".__init__") and module[: -len(".__init__")].endswith(dotted_name))
            ):
                out.extend(files)
        return out

    def _ancestors(self, cls: str) -> list[str]:
        out, queue = [], list(self.supertypes.get(cls, ()))
        while queue and len(out) < 32:
            parent = queue.pop(0)
            if parent not in out and parent != cls:
                out.append(parent)
                queue.extend(self.supertypes.get(parent, ()))
        return out

    def _descendants(self, cls: str) -> set[str]:
        out, queue = set(), [cls]
        while queue and len(out) < 64:
            for child in self.subtypes.get(queue.pop(), ()):
                if child not in out:
                    out.add(child)
                    queue.append(child)
        return out

    # -- summaries -------------------------------------------------------------------------------------

    def _solve_summaries(self) -> None:
        """Each function's return value, and each call's result, in terms of the caller's own
        parameters and of sources (a fixed point: recursion only adds facts)."""
        for _ in range(MAX_ROUNDS):
            changed = False
            for f, flow in enumerate(self.flows):
                for site in flow.sites:
                    value = self._site_value(f, site)
                    if value != self.site_values.get((f, site.index), EMPTY):
                        self.site_values[(f, site.index)] = value
                        changed = True
                for function in flow.functions:
                    value = self.normalise(f, function.returns)
                    if value != self.summaries.get((f, function.index), EMPTY):
                        self.summaries[(f, function.index)] = value
                        changed = True
            if not changed:
                break

    def _site_value(self, f: int, site: CallSite) -> Taint:
        targets = self.targets.get((f, site.index)) or []
        if not targets:
            return self.normalise(f, site.fallback)
        out = EMPTY
        for target in targets:
            out = out | self._substitute(f, site, target, self.summaries.get(target, EMPTY))
            if self.flows[target[0]].functions[target[1]].name in ("__init__", "<init>"):
                out = out | self.normalise(f, site.fallback)  # an object holds what it was made from
        return out

    def _substitute(self, f: int, site: CallSite, target: FunctionKey, summary: Taint) -> Taint:
        """A callee's summary seen from the call: its parameters replaced by the call's arguments."""
        callee = self.flows[target[0]].functions[target[1]]
        out = EMPTY
        for origin, cleaned in summary:
            if origin[0] == "param":
                argument = self._argument(site, callee.parameters, origin[1])
                out = out | _cleaned(self.normalise(f, argument), cleaned)
            else:
                out = out | {(origin, cleaned)}
        return frozenset(out)

    @staticmethod
    def _argument(site: CallSite, parameters: tuple[str, ...], index: int) -> Taint:
        if index < len(site.arguments):
            return site.arguments[index]
        name = parameters[index] if index < len(parameters) else ""
        for keyword, taint in site.keywords:
            if keyword == name:
                return taint
        return EMPTY

    def normalise(self, f: int, taint: Taint) -> Taint:
        """`taint` with each call's result replaced by its value: only the function's parameters and
        sources remain."""
        out = set()
        for origin, cleaned in taint:
            if origin[0] == "call":
                for inner, inner_cleaned in self.site_values.get((f, origin[1]), EMPTY):
                    out.add((inner, inner_cleaned | cleaned))
            else:
                out.add((origin, cleaned))
        return frozenset(out)

    # -- threat models ----------------------------------------------------------------------------------

    def solve(self, threat_model: str) -> dict[tuple[int, int], Reach]:
        """(file index, candidate index) -> its `Reach` under `threat_model`."""
        check_threat_model(threat_model)
        counted = _COUNTED[threat_model]
        parameters: dict[FunctionKey, list[set]] = {}
        for f, flow in enumerate(self.flows):
            for function in flow.functions:
                key = (f, function.index)
                values = [set() for _ in function.parameters]
                if not self.callers.get(key):  # a view found by its parameters' names, that nothing calls
                    for i, origin in function.uncalled:
                        values[i].add((origin, frozenset()))
                if "parameter" in counted and not self.callers.get(key) and not function.trusted:
                    for i, name in enumerate(function.parameters):
                        origin = (
                            "source",
                            "parameter",
                            f"parameter {name!r} of {function.name}",
                            function.line,
                            flow.file,
                        )
                        values[i].add((origin, frozenset()))
                parameters[key] = values
        via: dict[tuple[FunctionKey, int, tuple], tuple[int, int]] = {}
        self._field_facts = defaultdict(set)
        version: Counter = Counter()  # function -> how often its parameters' facts grew
        fields_version = 0
        stamps: dict[tuple, tuple[int, int]] = {}  # what a store or call last read: (its function's version, fields')

        def admit(fact: tuple, held: set) -> bool:
            """Hold `fact` unless it is held, of a kind not counted, or subsumed: ORIGINS_KEPT held
            facts of its kind whose cleaned set is within its own (cleaning is monotone: they reach
            wherever it does)."""
            if fact in held or fact[0][1] not in counted:
                return False
            kind, cleaned = fact[0][1], fact[1]
            if sum(1 for other in held if other[0][1] == kind and other[1] <= cleaned) >= ORIGINS_KEPT:
                return False
            held.add(fact)
            return True

        def fresh(key: tuple, function: FunctionKey) -> bool:
            stamp = (version[function], fields_version)
            if stamps.get(key) == stamp:
                return False
            stamps[key] = stamp
            return True

        for _ in range(MAX_ROUNDS):
            changed = False
            for f, flow in enumerate(self.flows):
                for store, (function, owner, name, taint) in enumerate(flow.field_stores):
                    if not fresh(("store", f, store), (f, function)):
                        continue
                    held = self._field_facts[(owner, name)]
                    facts = self._concrete(self.normalise(f, taint), parameters.get((f, function), []))
                    for fact in sorted(facts, key=_fact_order):
                        if admit(fact, held):
                            fields_version += 1
                            changed = True
            for f, flow in enumerate(self.flows):
                for site in flow.sites:
                    targets = self.targets.get((f, site.index)) or []
                    caller = (f, site.function)
                    if not targets or not fresh(("site", f, site.index), caller):
                        continue
                    for target in targets:
                        callee = self.flows[target[0]].functions[target[1]]
                        values = parameters[target]
                        for i in range(len(callee.parameters)):
                            argument = self.normalise(f, self._argument(site, callee.parameters, i))
                            for fact in sorted(self._concrete(argument, parameters.get(caller, [])), key=_fact_order):
                                if admit(fact, values[i]):
                                    via.setdefault((target, i, fact[0]), (f, site.index))
                                    version[target] += 1
                                    changed = True
            if not changed:
                break
        self._parameter_facts, self._via = parameters, via
        out = {}
        for f, flow in enumerate(self.flows):
            for candidate in flow.candidates:
                out[(f, candidate.index)] = self._reach(f, candidate, counted)
        return out

    def _reach(self, f: int, candidate, counted: set) -> Reach:
        flow = self.flows[f]
        if not candidate.visited:
            return Reach(reachable=False, dead=candidate.dead, decided=candidate.dead)
        if candidate.disarmed:  # a safe form of the sink, or a value never used where the weakness lies
            return Reach(reachable=False, dead=False)
        weakness = CATALOGUE[candidate.cwe]
        sink = Step(kind="sink", file=flow.file, line=candidate.line, label=f"{candidate.cwe} {weakness.name}")
        if weakness.constant:  # a hard-coded secret: a literal reaches it
            carried = self._concrete(
                self.normalise(f, candidate.taint), self._parameter_facts.get((f, candidate.function), [])
            )
            reachable = candidate.literal or not carried  # a literal, or nothing but constants
            return Reach(reachable=reachable, dead=False, path=(sink,))
        if not weakness.taint:  # a configuration weakness: reachable where it runs
            return Reach(reachable=True, dead=False, path=(sink,))
        key = (f, candidate.function)
        facts = self._concrete(self.normalise(f, candidate.taint), self._parameter_facts.get(key, []))
        kept = sorted(
            (fact for fact in facts if fact[0][1] in counted and not self._clears(fact[1], candidate.cwe)),
            key=lambda fact: (fact[0][1] != "remote", fact[0][4], fact[0][3], fact[0][2]),
        )
        if not kept:
            return Reach(reachable=False, dead=False)
        origin = kept[0][0]
        source = Step(kind="source", file=origin[4] or flow.file, line=origin[3], label=origin[2])
        return Reach(reachable=True, dead=False, path=(source, *self.path(key, origin), sink))

    def _concrete(self, taint: Taint, parameter_facts: list[set]) -> set:
        """`taint` (normalised) with parameters and fields replaced by what reaches them."""
        out = set()
        for origin, cleaned in taint:
            if origin[0] == "param":
                if origin[1] < len(parameter_facts):
                    for inner, inner_cleaned in parameter_facts[origin[1]]:
                        out.add((inner, inner_cleaned | cleaned))
            elif origin[0] == "source":
                out.add((origin, cleaned))
            elif origin[0] == "field":
                for owner in (origin[1], *self._ancestors(origin[1]), *sorted(self._descendants(origin[1]))):
                    for inner, inner_cleaned in self._field_facts.get((owner, origin[2]), ()):
                        out.add((inner, inner_cleaned | cleaned))
        return out

    def _clears(self, cleaned: frozenset, cwe: str) -> bool:
        """Is a value cleaned of `cwe`: by a model, or by a scanned function whose returned check the
        condition called (`flow.check_token`)?"""
        if "*" in cleaned or cwe in cleaned:
            return True
        for token in cleaned:
            if token.startswith("?"):
                cwes = self._check_cwes(token)
                if "*" in cwes or cwe in cwes:
                    return True
        return False

    def _check_cwes(self, token: str) -> frozenset:
        cached = self._checks.get(token)
        if cached is not None:
            return cached
        site_text, position_text, file = token[1:].split("#", 2)
        f = self._file_index.get(file)
        out: frozenset = frozenset()
        if f is not None:
            targets = self.targets.get((f, int(site_text))) or []
            found = []
            for target in targets:
                validates = dict(self.flows[target[0]].functions[target[1]].validates)
                found.append(validates.get(int(position_text), frozenset()))
            if found:
                out = frozenset.intersection(*found)  # every possible callee must check it
        self._checks[token] = out
        return out

    def path(self, key: FunctionKey, origin: tuple, depth: int = 0) -> list[Step]:
        """The calls that carried `origin` into function `key`, outermost first."""
        function = self.flows[key[0]].functions[key[1]]
        for i in range(len(function.parameters)):
            hop = self._via.get((key, i, origin))
            if hop is None or depth > 16:
                continue
            f, site_index = hop
            site = self.flows[f].sites[site_index]
            before = self.path((f, site.function), origin, depth + 1)
            label = f"{'.'.join(site.callee)}(...) passes it to {function.name}"
            return [*before, Step(kind="call", file=self.flows[f].file, line=site.line, label=label)]
        return []


def _fact_order(fact: tuple) -> tuple:
    """Remote sources first, then by file, line and label: which origins a bounded set keeps."""
    origin, cleaned = fact
    return (origin[1] != "remote", str(origin[4]), origin[3], str(origin[2]), sorted(cleaned))


def _cleaned(taint: Taint, cleaned: frozenset) -> Taint:
    if not cleaned:
        return taint
    return frozenset((origin, inner | cleaned) for origin, inner in taint)
