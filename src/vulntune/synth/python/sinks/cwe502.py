"""CWE-502 deserialization of untrusted data: pickle, marshal, yaml.load, jsonpickle, shelve."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import fix, sink
from vulntune.synth.template import REGISTRY

CWE = "CWE-502"
_JSON = ("import json",)

SINKS = [
    sink(
        "deserialize-pickle-loads",
        CWE,
        "pickle.loads",
        """
        @@$obj = pickle.loads($value)
        """,
        [fix("json-loads", "@@$obj = json.loads($value)", imports=_JSON)],
        imports=("import pickle",),
        value_kind="bytes",
    ),
    sink(
        "deserialize-pickle-load-stream",
        CWE,
        "pickle.load",
        """
        @@$obj = pickle.load(io.BytesIO($value))
        """,
        [fix("json-load", "@@$obj = json.load(io.BytesIO($value))", imports=_JSON)],
        imports=("import io", "import pickle"),
        value_kind="bytes",
    ),
    sink(
        "deserialize-pickle-b64-loads",
        CWE,
        "pickle.loads",
        """
        @@$obj = pickle.loads(base64.b64decode($value))
        """,
        [fix("json-loads", "@@$obj = json.loads(base64.b64decode($value))", imports=_JSON)],
        imports=("import base64", "import pickle"),
    ),
    sink(
        "deserialize-marshal-loads",
        CWE,
        "marshal.loads",
        """
        @@$obj = marshal.loads($value)
        """,
        [fix("json-loads", "@@$obj = json.loads($value)", imports=_JSON)],
        imports=("import marshal",),
        value_kind="bytes",
    ),
    sink(
        "deserialize-yaml-object-loader",
        CWE,
        "yaml.load",
        """
        @@$obj = yaml.load($value, Loader=yaml.Loader)
        """,
        [
            fix("safe-load", "@@$obj = yaml.safe_load($value)"),
            fix("safe-loader", "@@$obj = yaml.load($value, Loader=yaml.SafeLoader)"),
        ],
        imports=("import yaml",),
    ),
    sink(
        "deserialize-jsonpickle-decode",
        CWE,
        "jsonpickle.decode",
        """
        @@$obj = jsonpickle.decode($value)
        """,
        [fix("json-loads", "@@$obj = json.loads($value)", imports=_JSON)],
        imports=("import jsonpickle",),
    ),
    sink(
        "deserialize-shelve-user-path",
        CWE,
        "shelve.open",
        """
        @@with shelve.open(os.path.join($BASE, $value)) as $fh:
            $obj = dict($fh)
        """,
        [
            fix(
                "json-file",
                """
            @@with open(os.path.join($BASE, os.path.basename($value)) + ".json") as $fh:
                $obj = json.load($fh)
            """,
                imports=_JSON,
            ),
        ],
        imports=("import os", "import shelve"),
        prelude='$BASE = "$basedir"',
    ),
]

REGISTRY.register_all(SINKS)
