"""CWE-78 OS command injection: os.system, os.popen, subprocess with a shell."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import ALLOW_LIST, fix, sink
from vulntune.synth.template import REGISTRY

CWE = "CWE-78"
_SUB = ("import subprocess",)
_SHLEX = ("import shlex",)

SINKS = [
    sink(
        "os-command-concat-system",
        CWE,
        "os.system",
        """
        if not $value:
            $reject
        @@os.system("$shellcmd " + $value)
        """,
        [
            fix(
                "shlex-quote",
                """
            if not $value:
                $reject
            @@os.system("$shellcmd " + shlex.quote($value))
            """,
                imports=_SHLEX,
            ),
            fix(
                "allow-list",
                """
            if $value not in $ALLOWED:
                $reject
            @@os.system("$shellcmd " + $value)
            """,
                prelude=ALLOW_LIST,
            ),
        ],
        imports=("import os",),
    ),
    sink(
        "os-command-shell-true-check-output",
        CWE,
        "subprocess.check_output",
        """
        @@$output = subprocess.check_output("$shellcmd " + $value, shell=True, text=True)
        $rows = $output.splitlines()
        """,
        [
            fix(
                "argument-list",
                """
            @@$output = subprocess.check_output([$shellargs, $value], text=True)
            $rows = $output.splitlines()
            """,
            ),
            fix(
                "shlex-quote",
                """
            @@$output = subprocess.check_output("$shellcmd " + shlex.quote($value), shell=True, text=True)
            $rows = $output.splitlines()
            """,
                imports=_SHLEX,
            ),
        ],
        imports=_SUB,
    ),
    sink(
        "os-command-sh-c-run",
        CWE,
        "subprocess.run",
        """
        @@$proc = subprocess.run(["sh", "-c", f"$shellcmd {$value}"], capture_output=True, text=True)
        $output = $proc.stdout
        """,
        [
            fix(
                "argument-list",
                """
            @@$proc = subprocess.run([$shellargs, $value], capture_output=True, text=True)
            $output = $proc.stdout
            """,
            ),
            fix(
                "shlex-quote",
                """
            @@$proc = subprocess.run(["sh", "-c", f"$shellcmd {shlex.quote($value)}"], capture_output=True, text=True)
            $output = $proc.stdout
            """,
                imports=_SHLEX,
            ),
        ],
        imports=_SUB,
    ),
    sink(
        "os-command-percent-popen",
        CWE,
        "os.popen",
        """
        @@$output = os.popen("$shellcmd %s" % $value).read()
        """,
        [
            fix(
                "subprocess-argument-list",
                """
            @@$output = subprocess.run([$shellargs, $value], capture_output=True, text=True).stdout
            """,
                imports=_SUB,
            ),
            fix(
                "shlex-quote",
                """
            @@$output = os.popen("$shellcmd %s" % shlex.quote($value)).read()
            """,
                imports=_SHLEX,
            ),
        ],
        imports=("import os",),
    ),
    sink(
        "os-command-format-popen-shell",
        CWE,
        "subprocess.Popen",
        """
        if len($value) > $maxlen:
            $reject
        @@$proc = subprocess.Popen("$shellcmd {}".format($value), shell=True, stdout=subprocess.PIPE)
        $output = $proc.communicate()[0]
        """,
        [
            fix(
                "argument-list",
                """
            if len($value) > $maxlen:
                $reject
            @@$proc = subprocess.Popen([$shellargs, $value], stdout=subprocess.PIPE)
            $output = $proc.communicate()[0]
            """,
            ),
            fix(
                "allow-list",
                """
            if $value not in $ALLOWED:
                $reject
            @@$proc = subprocess.Popen("$shellcmd {}".format($value), shell=True, stdout=subprocess.PIPE)
            $output = $proc.communicate()[0]
            """,
                prelude=ALLOW_LIST,
            ),
        ],
        imports=_SUB,
    ),
    sink(
        "os-command-built-lines-run-shell",
        CWE,
        "subprocess.run",
        """
        $cmdline = "$shellcmd"
        $cmdline += " " + $value
        @@$proc = subprocess.run($cmdline, shell=True, capture_output=True, text=True)
        $output = $proc.stdout
        """,
        [
            fix(
                "shlex-quote-lines",
                """
            $cmdline = "$shellcmd"
            $cmdline += " " + shlex.quote($value)
            @@$proc = subprocess.run($cmdline, shell=True, capture_output=True, text=True)
            $output = $proc.stdout
            """,
                imports=_SHLEX,
            ),
            fix(
                "argument-list-lines",
                """
            $cmdargs = [$shellargs]
            $cmdargs.append($value)
            @@$proc = subprocess.run($cmdargs, capture_output=True, text=True)
            $output = $proc.stdout
            """,
            ),
        ],
        imports=_SUB,
    ),
    sink(
        "os-command-joined-list-call-shell",
        CWE,
        "subprocess.call",
        """
        $cmdargs = [$shellargs]
        $cmdargs.append($value)
        $cmdline = " ".join($cmdargs)
        @@$status = subprocess.call($cmdline, shell=True)
        """,
        [
            fix(
                "shlex-join",
                """
            $cmdargs = [$shellargs]
            $cmdargs.append($value)
            $cmdline = shlex.join($cmdargs)
            @@$status = subprocess.call($cmdline, shell=True)
            """,
                imports=_SHLEX,
            ),
            fix(
                "argument-list-no-shell",
                """
            $cmdargs = [$shellargs]
            $cmdargs.append($value)
            $cmdline = list($cmdargs)
            @@$status = subprocess.call($cmdline)
            """,
            ),
        ],
        imports=_SUB,
    ),
]

REGISTRY.register_all(SINKS)
