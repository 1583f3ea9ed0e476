"""Java sinks, one module per CWE: its `JavaCweVocabulary` record and its sinks, built and
registered with the builders of `common` (which also holds their conventions). Importing this
package registers them all, then checks that every catalogued Java CWE has both."""

from vulntune.synth.java.sinks import (  # noqa: F401  (imported to register)
    cwe22,
    cwe78,
    cwe79,
    cwe89,
    cwe90,
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
from vulntune.synth.java.sinks.common import RETURN_SHAPES  # noqa: F401  (the renderer reads it)
from vulntune.synth.template import REGISTRY

REGISTRY.check_cwes("java")
