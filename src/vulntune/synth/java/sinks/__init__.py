"""Java sinks, one module per CWE (the builder and its conventions: `common`). Importing this
package registers them all."""

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
from vulntune.synth.java.sinks.common import RETURN_SHAPES, sink  # noqa: F401  (the package's interface)
