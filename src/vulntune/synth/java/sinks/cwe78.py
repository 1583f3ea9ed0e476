"""CWE-78 OS command injection: Runtime.exec and ProcessBuilder with shell command lines."""

from vulntune.synth.java.sinks.common import fix, sink, vocabulary
from vulntune.synth.template import Fix

CWE = "CWE-78"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("host", "target", "dir", "archive", "device"),
    constants=("localhost", "reports", "127.0.0.1", "archive"),
    headers=("X-Target-Host", "X-Archive"),
)

_PATTERN = 'private static final Pattern $pattern = Pattern.compile("[A-Za-z0-9._-]{1,64}");'
_IMPORTS = ("java.nio.charset.StandardCharsets", "java.util.regex.Pattern")
_READ = "$log.info(new String($proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8));"
_CHECK = (
    'if (!$pattern.matcher($value).matches()) {\n    throw new IllegalArgumentException("unsupported $param");\n}\n'
)


def _allow_list(vulnerable: str) -> Fix:
    return fix(id="pattern-allow-list", code=_CHECK + vulnerable)


_EXEC = '@@Process $proc = Runtime.getRuntime().exec("ping -c 1 " + $value);\n' + _READ
sink(
    id="cmd-runtime-exec-concat",
    cwe=CWE,
    api="java.lang.Runtime.exec(String)",
    prelude=_PATTERN,
    imports=_IMPORTS,
    vulnerable=_EXEC,
    fixes=(
        fix(
            id="exec-arg-array",
            code='@@Process $proc = Runtime.getRuntime().exec(new String[] {"ping", "-c", "1", $value});\n' + _READ,
        ),
        _allow_list(_EXEC),
    ),
)

_SH = '@@Process $proc = new ProcessBuilder("sh", "-c", "tar -czf /tmp/export.tgz " + $value).start();\n' + _READ
sink(
    id="cmd-process-builder-shell",
    cwe=CWE,
    api="java.lang.ProcessBuilder(sh -c)",
    prelude=_PATTERN,
    imports=_IMPORTS,
    vulnerable=_SH,
    fixes=(
        fix(
            id="process-builder-args",
            code='@@Process $proc = new ProcessBuilder("tar", "-czf", "/tmp/export.tgz", "--", $value).start();\n'
            + _READ,
        ),
        _allow_list(_SH),
    ),
)

_BASH = (
    'String[] $cmd = {"bash", "-c", "du -sh /srv/data/" + $value};\n'
    "@@Process $proc = Runtime.getRuntime().exec($cmd);\n" + _READ
)
sink(
    id="cmd-runtime-exec-shell-array",
    cwe=CWE,
    api="java.lang.Runtime.exec(String[] bash -c)",
    prelude=_PATTERN,
    imports=_IMPORTS,
    vulnerable=_BASH,
    fixes=(
        fix(
            id="exec-array-no-shell",
            code='String[] $cmd = {"du", "-sh", "/srv/data/" + $value};\n'
            "@@Process $proc = Runtime.getRuntime().exec($cmd);\n" + _READ,
        ),
        _allow_list(_BASH),
    ),
)

_COMMAND = (
    "ProcessBuilder $pb = new ProcessBuilder();\n"
    '@@$pb.command("/bin/sh", "-c", "nslookup " + $value);\n'
    "Process $proc = $pb.redirectErrorStream(true).start();\n" + _READ
)
sink(
    id="cmd-process-builder-command-shell",
    cwe=CWE,
    api="java.lang.ProcessBuilder.command",
    prelude=_PATTERN,
    imports=_IMPORTS,
    vulnerable=_COMMAND,
    fixes=(
        fix(
            id="command-args",
            code="ProcessBuilder $pb = new ProcessBuilder();\n"
            '@@$pb.command("nslookup", $value);\n'
            "Process $proc = $pb.redirectErrorStream(true).start();\n" + _READ,
        ),
        _allow_list(_COMMAND),
    ),
)
