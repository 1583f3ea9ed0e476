"""CWE-502 deserialization of untrusted data: pickle, marshal, yaml.load, jsonpickle, shelve."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import fix, sink, vocabulary

CWE = "CWE-502"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("payload", "blob_in", "saved_state", "serialized", "raw_body", "packed"),
    constants=("{}", "[]", "null", '{"items": []}'),
    affixes=(("", "\\n"), ("---\\n", "")),
    step_comment="# restore the saved object",
    sink_constants={
        "deserialize-pickle-b64-loads": ("gAR9lC4=", "gARdlC4=", "gASVBAAAAAAAAAB9lC4="),
        "deserialize-shelve-user-path": ("cache.db", "state.db", "prefs.db"),
    },
)

_JSON = ("import json",)

sink(
    id="deserialize-pickle-loads",
    cwe=CWE,
    api="pickle.loads",
    vulnerable="""
    @@$obj = pickle.loads($value)
    """,
    fixes=[fix(id="json-loads", code="@@$obj = json.loads($value)", imports=_JSON)],
    imports=("import pickle",),
    value_kind="bytes",
)

sink(
    id="deserialize-pickle-load-stream",
    cwe=CWE,
    api="pickle.load",
    vulnerable="""
    @@$obj = pickle.load(io.BytesIO($value))
    """,
    fixes=[fix(id="json-load", code="@@$obj = json.load(io.BytesIO($value))", imports=_JSON)],
    imports=("import io", "import pickle"),
    value_kind="bytes",
)

sink(
    id="deserialize-pickle-b64-loads",
    cwe=CWE,
    api="pickle.loads",
    vulnerable="""
    @@$obj = pickle.loads(base64.b64decode($value))
    """,
    fixes=[fix(id="json-loads", code="@@$obj = json.loads(base64.b64decode($value))", imports=_JSON)],
    imports=("import base64", "import pickle"),
)

sink(
    id="deserialize-marshal-loads",
    cwe=CWE,
    api="marshal.loads",
    vulnerable="""
    @@$obj = marshal.loads($value)
    """,
    fixes=[fix(id="json-loads", code="@@$obj = json.loads($value)", imports=_JSON)],
    imports=("import marshal",),
    value_kind="bytes",
)

sink(
    id="deserialize-yaml-object-loader",
    cwe=CWE,
    api="yaml.load",
    vulnerable="""
    @@$obj = yaml.load($value, Loader=yaml.Loader)
    """,
    fixes=[
        fix(id="safe-load", code="@@$obj = yaml.safe_load($value)"),
        fix(id="safe-loader", code="@@$obj = yaml.load($value, Loader=yaml.SafeLoader)"),
    ],
    imports=("import yaml",),
)

sink(
    id="deserialize-jsonpickle-decode",
    cwe=CWE,
    api="jsonpickle.decode",
    vulnerable="""
    @@$obj = jsonpickle.decode($value)
    """,
    fixes=[fix(id="json-loads", code="@@$obj = json.loads($value)", imports=_JSON)],
    imports=("import jsonpickle",),
)

sink(
    id="deserialize-shelve-user-path",
    cwe=CWE,
    api="shelve.open",
    vulnerable="""
    @@with shelve.open(os.path.join($BASE, $value)) as $fh:
        $obj = dict($fh)
    """,
    fixes=[
        fix(
            id="json-file",
            code="""
        @@with open(os.path.join($BASE, os.path.basename($value)) + ".json") as $fh:
            $obj = json.load($fh)
        """,
            imports=_JSON,
        ),
    ],
    imports=("import os", "import shelve"),
    prelude='$BASE = "$basedir"',
)
