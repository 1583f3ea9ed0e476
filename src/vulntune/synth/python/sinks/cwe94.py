"""CWE-94 code injection: eval, exec, compile, Jinja2 and Flask templates built from input."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import fix, sink
from vulntune.synth.template import REGISTRY

CWE = "CWE-94"
_AST = ("import ast",)

SINKS = [
    sink(
        "code-eval-expression",
        CWE,
        "eval",
        """
        @@$result = eval($value)
        $data = {"$key": $result}
        """,
        [
            fix(
                "literal-eval",
                """
            @@$result = ast.literal_eval($value)
            $data = {"$key": $result}
            """,
                imports=_AST,
            ),
        ],
    ),
    sink(
        "code-eval-empty-builtins",
        CWE,
        "eval",
        """
        @@$result = eval($value, {"__builtins__": {}}, {})
        $data = {"$key": $result}
        """,
        [
            fix(
                "literal-eval",
                """
            @@$result = ast.literal_eval($value)
            $data = {"$key": $result}
            """,
                imports=_AST,
            ),
        ],
    ),
    sink(
        "code-exec-assignment",
        CWE,
        "exec",
        """
        $ns = {}
        @@exec(f"$key = {$value}", $ns)
        $result = $ns["$key"]
        """,
        [
            fix(
                "literal-eval",
                """
            $ns = {}
            @@$ns["$key"] = ast.literal_eval($value)
            $result = $ns["$key"]
            """,
                imports=_AST,
            ),
        ],
    ),
    sink(
        "code-compile-lambda-rule",
        CWE,
        "compile",
        """
        @@$fn = eval(compile("lambda x: " + $value, "<rule>", "eval"))
        $result = $fn(10)
        """,
        [
            fix(
                "lookup-table",
                """
            @@$fn = $OPS.get($value, $OPS["double"])
            $result = $fn(10)
            """,
                prelude='$OPS = {"double": lambda x: x * 2, "square": lambda x: x * x, "negate": lambda x: -x}',
            ),
        ],
    ),
    sink(
        "template-from-input-jinja2",
        CWE,
        "jinja2.Template",
        """
        @@$result = Template($value).render($key="$word")
        """,
        [
            fix(
                "input-as-variable",
                """
            @@$result = Template("{{ $key }}").render($key=$value)
            """,
            ),
        ],
        imports=("from jinja2 import Template",),
    ),
    sink(
        "template-from-input-flask",
        CWE,
        "flask.render_template_string",
        """
        @@return render_template_string($value)
        """,
        [
            fix(
                "input-as-variable",
                """
            @@return render_template_string("<p>{{ $key }}</p>", $key=$value)
            """,
            ),
        ],
        frameworks=("flask",),
        returns=True,
        imports=("from flask import render_template_string",),
    ),
]

REGISTRY.register_all(SINKS)
