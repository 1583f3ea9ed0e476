"""CWE-94 code injection: eval, exec, compile, Jinja2 and Flask templates built from input."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import fix, sink, vocabulary

CWE = "CWE-94"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("expr", "formula", "expression", "rule_text", "calc", "spec"),
    constants=("1 + 2", "[1, 2, 3]", "2 * 21", "(1, 2)", "100", "3.5"),
    affixes=(("(", ")"), ("", " * 2"), ("1 + ", "")),
    step_comment="# evaluate the rule",
    sink_constants={
        "code-eval-empty-builtins": ("1 + 2", "2 * 21", "10 / 4"),
        "code-exec-assignment": ("1 + 2", "2 * 21", "[1, 2]"),
        "code-compile-lambda-rule": ("x * 2", "x + 1", "abs(x)"),
    },
)

_AST = ("import ast",)

sink(
    id="code-eval-expression",
    cwe=CWE,
    api="eval",
    vulnerable="""
    @@$result = eval($value)
    $data = {"$key": $result}
    """,
    fixes=[
        fix(
            id="literal-eval",
            code="""
        @@$result = ast.literal_eval($value)
        $data = {"$key": $result}
        """,
            imports=_AST,
        ),
    ],
)

sink(
    id="code-eval-empty-builtins",
    cwe=CWE,
    api="eval",
    vulnerable="""
    @@$result = eval($value, {"__builtins__": {}}, {})
    $data = {"$key": $result}
    """,
    fixes=[
        fix(
            id="literal-eval",
            code="""
        @@$result = ast.literal_eval($value)
        $data = {"$key": $result}
        """,
            imports=_AST,
        ),
    ],
)

sink(
    id="code-exec-assignment",
    cwe=CWE,
    api="exec",
    vulnerable="""
    $ns = {}
    @@exec(f"$key = {$value}", $ns)
    $result = $ns["$key"]
    """,
    fixes=[
        fix(
            id="literal-eval",
            code="""
        $ns = {}
        @@$ns["$key"] = ast.literal_eval($value)
        $result = $ns["$key"]
        """,
            imports=_AST,
        ),
    ],
)

sink(
    id="code-compile-lambda-rule",
    cwe=CWE,
    api="compile",
    vulnerable="""
    @@$fn = eval(compile("lambda x: " + $value, "<rule>", "eval"))
    $result = $fn(10)
    """,
    fixes=[
        fix(
            id="lookup-table",
            code="""
        @@$fn = $OPS.get($value, $OPS["double"])
        $result = $fn(10)
        """,
            prelude='$OPS = {"double": lambda x: x * 2, "square": lambda x: x * x, "negate": lambda x: -x}',
        ),
    ],
)

sink(
    id="template-from-input-jinja2",
    cwe=CWE,
    api="jinja2.Template",
    vulnerable="""
    @@$result = Template($value).render($key="$word")
    """,
    fixes=[
        fix(
            id="input-as-variable",
            code="""
        @@$result = Template("{{ $key }}").render($key=$value)
        """,
        ),
    ],
    imports=("from jinja2 import Template",),
)

sink(
    id="template-from-input-flask",
    cwe=CWE,
    api="flask.render_template_string",
    vulnerable="""
    @@return render_template_string($value)
    """,
    fixes=[
        fix(
            id="input-as-variable",
            code="""
        @@return render_template_string("<p>{{ $key }}</p>", $key=$value)
        """,
        ),
    ],
    frameworks=("flask",),
    returns=True,
    imports=("from flask import render_template_string",),
)
