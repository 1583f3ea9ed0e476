"""Python sinks, one module per CWE: its `PythonCweVocabulary` record and its sinks, built and
registered with the builders of `common`. Importing this package registers them all, then
checks that every catalogued Python CWE has both."""

from vulntune.synth.python.sinks import (  # noqa: F401  (imported to register)
    cwe22,
    cwe78,
    cwe79,
    cwe89,
    cwe90,
    cwe94,
    cwe327,
    cwe328,
    cwe330,
    cwe501,
    cwe502,
    cwe601,
    cwe611,
    cwe614,
    cwe643,
    cwe798,
    cwe918,
)
from vulntune.synth.template import REGISTRY

REGISTRY.check_cwes("python")
