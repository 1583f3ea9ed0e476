"""Real-context twins (`vulntune synth --context realcode`) on a tiny context tree built here.

The tree has three Python and three Java "repositories" of a few functions each, laid out as the
realcode archives unpack (`<language>-train/<owner>__<name>/...`), so one repository goes to each
split. The checks: pairs land in real functions and keep every line of them, twins differ only
where their template twins do, the sink line points at the sink, a repository sits in one split,
provenance is recorded, held-out repositories are refused, and bad options are one line.
"""

from __future__ import annotations

import ast
import difflib
import json
import shutil
import textwrap
from pathlib import Path

import pytest

from vulntune.analysis import analyse
from vulntune.cli import main
from vulntune.data import SPLITS
from vulntune.errors import VulntuneError
from vulntune.synth.config import SynthConfig
from vulntune.synth.context import assign_repositories, load_context
from vulntune.synth.generate import plan_pairs, render_pair
from vulntune.synth.java import context as java_context
from vulntune.synth.llm.check import changed_lines
from vulntune.synth.pipeline import build_corpus, synthesize
from vulntune.synth.python import context as python_context
from vulntune.synth.templates import load_registry

PYTHON_FILES = {
    "acme__shop/shop/views.py": '''
        """Views of the shop."""
        import logging

        from django.http import JsonResponse

        logger = logging.getLogger(__name__)
        PAGE_SIZE = 20


        def _clean(label):
            return label.strip().lower()


        def list_orders(request):
            page = int(request.GET.get("page", "1"))
            rows = []
            for number in range(page * PAGE_SIZE):
                rows.append({"number": number})
            logger.info("listed %d", len(rows))
            return JsonResponse({"rows": rows})


        def format_label(label, width=10):
            cleaned = _clean(label)
            if len(cleaned) > width:
                cleaned = cleaned[:width]
            padded = cleaned.ljust(width)
            return padded


        class Report:
            def render(self, title):
                heading = title.title()
                lines = [heading, "=" * len(heading)]
                joined = "\\n".join(lines)
                return joined


        def numbers():
            yield 1
            yield 2
            yield 3
        ''',
    "acme__blog/blog/posts.py": """
        import re

        SLUG = re.compile(r"[^a-z0-9]+")


        def slugify(heading):
            lowered = heading.lower()
            parts = SLUG.split(lowered)
            joined = "-".join(p for p in parts if p)
            return joined[:50]


        def count_words(body, minimum=1):
            total = 0
            for word in body.split():
                if len(word) >= minimum:
                    total += 1
            return total
        """,
    "acme__tools/tools/files.py": """
        import os


        def ensure_folder(folder):
            if not os.path.isdir(folder):
                os.makedirs(folder)
            marker = os.path.join(folder, ".keep")
            with open(marker, "a"):
                pass
            return marker


        def sizes(folder):
            found = {}
            for entry in os.listdir(folder):
                full = os.path.join(folder, entry)
                found[entry] = os.path.getsize(full)
            return found
        """,
}

JAVA_FILES = {
    "acme__web/src/main/java/com/acme/web/OrderServlet.java": """
        package com.acme.web;

        import java.io.IOException;
        import javax.servlet.http.HttpServlet;
        import javax.servlet.http.HttpServletRequest;
        import javax.servlet.http.HttpServletResponse;

        public class OrderServlet extends HttpServlet {

            private static final int PAGE_SIZE = 20;

            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                String page = request.getParameter("page");
                int count = page == null ? PAGE_SIZE : Integer.parseInt(page);
                response.setContentType("text/plain");
                response.getWriter().println(count);
            }

            public String describe(String label) {
                String trimmed = label.trim();
                if (trimmed.isEmpty()) {
                    return "none";
                }
                return trimmed.toUpperCase();
            }
        }
        """,
    "acme__api/src/main/java/com/acme/api/ItemController.java": """
        package com.acme.api;

        import org.springframework.web.bind.annotation.GetMapping;
        import org.springframework.web.bind.annotation.RequestParam;
        import org.springframework.web.bind.annotation.RestController;

        @RestController
        public class ItemController {

            @GetMapping("/items")
            public String items(@RequestParam("q") String query) {
                String cleaned = query.trim();
                int size = cleaned.length();
                System.out.println(size);
                return cleaned;
            }

            public int total(String csv) {
                int sum = 0;
                for (String part : csv.split(",")) {
                    sum += Integer.parseInt(part.trim());
                }
                return sum;
            }
        }
        """,
    "acme__lib/src/main/java/com/acme/lib/Names.java": """
        package com.acme.lib;

        import java.util.ArrayList;
        import java.util.List;

        public class Names {

            public List<String> split(String line) {
                List<String> names = new ArrayList<>();
                for (String part : line.split(";")) {
                    names.add(part.trim());
                }
                return names;
            }

            public void print(String heading) {
                String upper = heading.toUpperCase();
                System.out.println(upper);
                System.out.println(upper.length());
            }
        }
        """,
}

MANIFEST = """language,split,repo,commit,licence,files,lines,bytes
python,train,acme/shop,{c1},MIT,1,1,1
python,train,acme/blog,{c2},MIT,1,1,1
python,train,acme/tools,{c3},MIT,1,1,1
java,train,acme/web,{c4},MIT,1,1,1
java,train,acme/api,{c5},MIT,1,1,1
java,train,acme/lib,{c6},MIT,1,1,1
""".format(**{f"c{i}": f"{i}" * 40 for i in range(1, 7)})


def make_tree(root: Path) -> Path:
    for language, files in (("python", PYTHON_FILES), ("java", JAVA_FILES)):
        for relative, text in files.items():
            path = root / f"{language}-train" / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    (root / "MANIFEST.csv").write_text(MANIFEST, encoding="utf-8")
    return root


CWES = ("CWE-78", "CWE-89", "CWE-22")


def _config(tree: Path, **extra) -> SynthConfig:
    settings = dict(
        languages=("python", "java"),
        cwes=CWES,
        per_cwe=16,
        seed=3,
        javac=shutil.which("javac") is not None,
        context="realcode",
        context_dir=tree,
        context_manifest=tree / "MANIFEST.csv",
    )
    settings.update(extra)
    return SynthConfig(**settings)


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return make_tree(tmp_path_factory.mktemp("context"))


@pytest.fixture(scope="module")
def built(tree):
    return build_corpus(_config(tree))


def _pairs(splits):
    pairs: dict[str, dict[str, object]] = {}
    for name in SPLITS:
        for sample in splits[name]:
            pairs.setdefault(sample.pair_id, {})[sample.label] = sample
    return pairs


def _original(tree: Path, language: str, context: dict) -> list[str]:
    """The lines of the real function a sample was placed in, as in its file."""
    repo = context["repository"].replace("/", "__")
    text = (tree / f"{language}-train" / repo / context["path"]).read_text(encoding="utf-8")
    lines = text.split("\n")
    start = context["line"] - 1
    if language == "python":
        for node in ast.walk(ast.parse(text)):
            if (
                isinstance(node, ast.FunctionDef)
                and min([node.lineno, *(d.lineno for d in node.decorator_list)]) == start + 1
            ):
                return lines[start : node.end_lineno]
        raise AssertionError(context)
    depth, end = 0, start
    for end in range(start, len(lines)):
        depth += lines[end].count("{") - lines[end].count("}")
        if depth == 0 and "{" in "".join(lines[start : end + 1]):
            break
    return lines[start : end + 1]


def _changed_code(a: str, b: str) -> int:
    """Lines changed between two files, import lines aside (the twins' imports follow what each
    uses, as in the templates: a Python fix brings its import)."""

    def code(text: str) -> str:
        return "\n".join(line for line in text.split("\n") if not line.startswith(("import ", "from ")))

    return changed_lines(code(a), code(b))


def _is_subsequence(needle: list[str], haystack: list[str]) -> bool:
    it = iter(haystack)
    return all(any(line == other for other in it) for line in needle)


def test_pairs_go_into_real_functions_with_provenance(built):
    splits, summary = built
    report = summary["context"]
    for language in ("python", "java"):
        stats = report["languages"][language]
        assert stats["pairs_transplanted"] > 0, stats
        assert stats["pairs_wanted"] == stats["pairs_transplanted"] + sum(stats["kept_template"].values())
        assert set(stats["repositories"]) == {
            f"acme/{n}" for n in (("shop", "blog", "tools") if language == "python" else ("web", "api", "lib"))
        }
    placed = [s for name in SPLITS for s in splits[name] if "context" in s.meta]
    assert placed
    for sample in placed:
        context = sample.meta["context"]
        assert set(context) == {"repository", "path", "commit", "function", "line"}
        number = {"acme/shop": 1, "acme/blog": 2, "acme/tools": 3, "acme/web": 4, "acme/api": 5, "acme/lib": 6}
        assert context["commit"] == str(number[context["repository"]]) * 40


def test_the_real_function_keeps_every_line_and_twins_differ_only_by_their_template(built, tree):
    splits, summary = built
    config = _config(tree)
    registry = load_registry(config.languages)
    templates = {}
    for language in config.languages:
        for cwe in config.cwes_for(language):
            for index, (v, s) in enumerate(plan_pairs(config, language, cwe, registry)):
                pair = render_pair(v, s, index, config.seed)
                templates[pair[0].pair_id] = pair
    checked = 0
    for pair_id, twins in _pairs(splits).items():
        vulnerable, safe = twins["vulnerable"], twins["safe"]
        if "context" not in vulnerable.meta:
            continue
        assert vulnerable.meta["context"] == safe.meta["context"]
        original = _original(tree, vulnerable.language, vulnerable.meta["context"])
        for sample in (vulnerable, safe):
            # A Java method's throws clause may gain IOException, as the template handler's had.
            lines = [
                line.replace(" throws IOException", "").replace(", IOException", "") for line in sample.code.split("\n")
            ]
            expected = [line.replace(" throws IOException", "").replace(", IOException", "") for line in original]
            assert _is_subsequence(expected, lines), (original, sample.code)
        # The lines that tell the twins apart are the template's: no host line, and no more of
        # them than tell the template twins apart (the source may differ from the template pair's,
        # since only transplantable sources go in, but sources are the same in both twins).
        template_v, template_s = templates[pair_id]
        diff = [
            line
            for line in difflib.ndiff(vulnerable.code.split("\n"), safe.code.split("\n"))
            if line[:2] in ("- ", "+ ")
        ]
        assert diff
        host = {line.strip() for line in original if any(c.isalnum() for c in line)}
        assert not {line[2:].strip() for line in diff} & host, diff
        assert _changed_code(vulnerable.code, safe.code) <= _changed_code(template_v.code, template_s.code), diff
        checked += 1
    assert checked


def test_sink_line_points_at_the_sink(built):
    splits, _ = built
    placed = [s for name in SPLITS for s in splits[name] if "context" in s.meta and s.is_vulnerable]
    for sample in placed:
        found = [
            c.candidate
            for c in analyse(sample.code, sample.language)
            if c.candidate.cwe == sample.cwe and c.candidate.line <= sample.sink_line <= c.candidate.end_line
        ]
        assert found, (sample.sink_line, sample.code)


def test_a_repository_sits_in_one_split_and_families_in_one_split(built):
    splits, summary = built
    where: dict[tuple[str, str], set[str]] = {}
    families: dict[str, set[str]] = {}
    for name in SPLITS:
        for sample in splits[name]:
            families.setdefault(sample.family, set()).add(name)
            if "context" in sample.meta:
                where.setdefault((sample.language, sample.meta["context"]["repository"]), set()).add(name)
    assert all(len(v) == 1 for v in where.values()), where
    assert all(len(v) == 1 for v in families.values())
    for language, stats in summary["context"]["languages"].items():
        assigned = {name: repo["split"] for name, repo in stats["repositories"].items()}
        assert sorted(assigned.values()) == ["test", "train", "validation"]  # three repositories, one each
        for (lang, repo), names in where.items():
            if lang == language:
                assert names == {assigned[repo]}


def test_samples_are_verified_and_counted(built):
    splits, summary = built
    python = [s for name in SPLITS for s in splits[name] if s.language == "python" and "context" in s.meta]
    for sample in python:
        compile(sample.code, sample.id, "exec")
    java = summary["context"]["languages"]["java"]
    if shutil.which("javac"):
        javac = java["javac"]
        placed = sum(1 for name in SPLITS for s in splits[name] if s.language == "java" and "context" in s.meta)
        assert sum(javac.values()) >= placed and javac["not_run"] == 0
    for scope in ("python real-context", "java real-context", "python template", "java template"):
        lengths = summary["context"]["slice_lengths"].get(scope)
        if lengths is not None:
            assert lengths["slices"] >= 0 and (lengths["chars_median"] is None or lengths["chars_median"] > 0)
    assert "python real-context" in summary["shortcut_auroc"]


def test_share_leaves_the_rest_as_templates(tree):
    splits, summary = build_corpus(_config(tree, languages=("python",), context_share=0.5, javac=False))
    stats = summary["context"]["languages"]["python"]
    total = sum(len(plan) for plan in [range(16 // 2)] * len(CWES))
    assert stats["pairs_wanted"] == round(8 * 0.5) * len(CWES) <= total
    kinds = {("context" in s.meta) for name in SPLITS for s in splits[name]}
    assert kinds == {True, False}


def test_output_is_deterministic_and_the_card_says_what_was_done(tree, tmp_path):
    config = _config(tree, languages=("python",), javac=False)
    first, second = tmp_path / "a", tmp_path / "b"
    synthesize(config, first)
    synthesize(config, second)
    for name in ("train.jsonl", "validation.jsonl", "test.jsonl", "summary.json", "README.md"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    card = (first / "README.md").read_text(encoding="utf-8")
    assert "## Real-context twins" in card and "acme/shop" in card
    assert f"--context realcode --context-dir {tree}" in card
    summary = json.loads((first / "summary.json").read_text(encoding="utf-8"))
    assert summary["config"]["context"] == "realcode"


def test_a_template_corpus_has_no_context_fields():
    splits, summary = build_corpus(SynthConfig(languages=("python",), cwes=("CWE-89",), per_cwe=8, javac=False))
    assert "context" not in summary
    assert not {"context", "context_dir", "context_share", "context_manifest"} & set(summary["config"])
    assert all("context" not in s.meta for name in SPLITS for s in splits[name])


def test_held_out_repositories_are_refused(tree, tmp_path):
    manifest = tmp_path / "MANIFEST.csv"
    manifest.write_text(MANIFEST.replace("python,train,acme/blog", "python,heldout,acme/blog"), encoding="utf-8")
    with pytest.raises(VulntuneError, match="acme/blog as heldout"):
        build_corpus(_config(tree, languages=("python",), context_manifest=manifest, javac=False))


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--context-dir", "x"], "--context-dir needs --context realcode"),
        (["--context-share", "0.5"], "--context-share needs --context realcode"),
        (["--context", "realcode"], "needs --context-dir DIR"),
        (
            ["--context", "realcode", "--context-dir", "{tree}", "--context-share", "0"],
            "--context-share must be in (0, 1]",
        ),
        (["--context", "realcode", "--context-dir", "{missing}"], "python-train: not found"),
    ],
)
def test_bad_context_options_are_one_line_exit_2(tree, tmp_path, capsys, argv, message):
    out = tmp_path / "out"
    argv = [a.format(tree=tree, missing=tmp_path / "nowhere") for a in argv]
    code = main(["synth", "--no-javac", "--quiet", "--cwes", "CWE-89", "--per-cwe", "4", "--out", str(out), *argv])
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not out.exists()


def test_python_hosts_skip_generators_and_place_code_before_returns():
    text = textwrap.dedent(PYTHON_FILES["acme__shop/shop/views.py"]).lstrip("\n")
    hosts = {h.name: h for h in python_context.functions("shop/views.py", text)}
    assert "numbers" not in hosts  # a generator
    assert "_clean" not in hosts  # one line of body
    assert {"list_orders", "format_label", "Report.render"} <= set(hosts)
    host = hosts["list_orders"]
    assert host.params == ("request",) and "from django.http import JsonResponse" in host.imports
    lines = host.text.split("\n")
    for point in host.points:
        assert point.line <= len(lines)
        if point.line < len(lines):
            assert not lines[point.line - 1].strip().startswith("return")
    assert [p for p in host.points if p.top and p.last] == [python_context.Point(line=6, column=4, top=True, last=True)]


def test_java_hosts_know_their_parameters():
    text = textwrap.dedent(JAVA_FILES["acme__api/src/main/java/com/acme/api/ItemController.java"]).lstrip("\n")
    hosts = {h.name: h for h in java_context.functions("ItemController.java", text)}
    items = hosts["ItemController.items"]
    assert items.return_type == "String" and items.owner.startswith("@RestController")
    registry = load_registry(("java",))
    spring = registry.sources["java"]["spring-request-param"]
    lib = registry.sources["java"]["lib-method-parameter"]
    assert java_context.source_kind(spring) == "param" and java_context.param_choices(items, spring) == ("query",)
    assert java_context.param_choices(items, lib) == ()  # a request parameter is not a library input
    assert java_context.param_choices(hosts["ItemController.total"], lib) == ("csv",)


def test_repositories_are_balanced_by_hosts(tree):
    corpus = load_context(tree, "python", {})
    assignment = assign_repositories(corpus, (0.8, 0.1, 0.1), seed=0)
    assert sorted(assignment.values()) == ["test", "train", "validation"]
    biggest = max(corpus.repositories, key=lambda n: len(corpus.repositories[n].hosts))
    assert assignment[biggest] == "train"


def test_no_point_follows_code_that_always_leaves():
    python = textwrap.dedent("""
        def parse(text):
            cleaned = text.strip()
            try:
                return int(cleaned)
            except ValueError:
                raise TypeError(cleaned)
        """).lstrip("\n")
    (host,) = python_context.functions("p.py", python)
    lines = host.text.split("\n")
    assert all(p.line < len(lines) for p in host.points)  # nothing after the try, which always leaves
    java = textwrap.dedent("""
        public class Parser {
            public int parse(String text) {
                String cleaned = text.strip();
                try {
                    return Integer.parseInt(cleaned);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(cleaned);
                }
            }

            @Override
            public String toString() {
                String name = getClass().getName();
                String shown = name.trim();
                return shown;
            }
        }
        """).lstrip("\n")
    hosts = java_context.functions("Parser.java", java)
    assert [h.name for h in hosts] == ["Parser.parse"]  # an override cannot gain `throws IOException`
    last_statement = hosts[0].text.split("\n").index("        }")
    assert all(p.line <= last_statement for p in hosts[0].points)


def test_weak_negatives_are_mined_into_their_repositorys_split_never_test(tree, tmp_path):
    tree = Path(shutil.copytree(tree, tmp_path / "tree"))
    for repository in ("acme__shop", "acme__blog", "acme__tools"):  # a parameter into open() in each
        (tree / "python-train" / repository / "files.py").write_text(
            "def read(name):\n    with open(name) as handle:\n        return handle.read()\n", encoding="utf-8"
        )
    splits, summary = build_corpus(_config(tree, context_negatives="all"))
    mined = {name: [s for s in splits[name] if s.safe_kind == "mined"] for name in SPLITS}
    assert not mined["test"] and mined["train"] + mined["validation"]
    for name in ("train", "validation"):
        for sample in mined[name]:
            repository = sample.meta["context"]["repository"]
            assert summary["context"]["languages"][sample.language]["repositories"][repository]["split"] == name
            assert sample.label == "safe" and sample.meta["mined"]["threat_model"] == "all"
    report = summary["context"]["mined"]
    assert sum(r["per_split"]["train"] + r["per_split"]["validation"] for r in report.values()) == sum(
        len(v) for v in mined.values()
    )
    without = build_corpus(_config(tree))[0]
    assert [s for s in splits["test"]] == without["test"]  # the twins are unchanged
