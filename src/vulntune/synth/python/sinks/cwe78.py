"""CWE-78 OS command injection: os.system, os.popen, subprocess with a shell."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import ALLOW_LIST, fix, sink, vocabulary

CWE = "CWE-78"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("filename", "log_name", "archive_name", "src_file", "entry_name", "dirname"),
    constants=("access.log", "data.csv", "backup.tar", "notes.txt", "export.json", "app.log"),
    affixes=(("/var/log/", ""), ("", ".log"), ("/srv/data/", ".csv"), ("./", "")),
    step_comment="# run the tool",
)

_SUB = ("import subprocess",)
_SHLEX = ("import shlex",)

sink(
    id="os-command-concat-system",
    cwe=CWE,
    api="os.system",
    vulnerable="""
    if not $value:
        $reject
    @@os.system("$shellcmd " + $value)
    """,
    fixes=[
        fix(
            id="shlex-quote",
            code="""
        if not $value:
            $reject
        @@os.system("$shellcmd " + shlex.quote($value))
        """,
            imports=_SHLEX,
        ),
        fix(
            id="allow-list",
            code="""
        if $value not in $ALLOWED:
            $reject
        @@os.system("$shellcmd " + $value)
        """,
            prelude=ALLOW_LIST,
        ),
    ],
    imports=("import os",),
)

sink(
    id="os-command-shell-true-check-output",
    cwe=CWE,
    api="subprocess.check_output",
    vulnerable="""
    @@$output = subprocess.check_output("$shellcmd " + $value, shell=True, text=True)
    $rows = $output.splitlines()
    """,
    fixes=[
        fix(
            id="argument-list",
            code="""
        @@$output = subprocess.check_output([$shellargs, $value], text=True)
        $rows = $output.splitlines()
        """,
        ),
        fix(
            id="shlex-quote",
            code="""
        @@$output = subprocess.check_output("$shellcmd " + shlex.quote($value), shell=True, text=True)
        $rows = $output.splitlines()
        """,
            imports=_SHLEX,
        ),
    ],
    imports=_SUB,
)

sink(
    id="os-command-sh-c-run",
    cwe=CWE,
    api="subprocess.run",
    vulnerable="""
    @@$proc = subprocess.run(["sh", "-c", f"$shellcmd {$value}"], capture_output=True, text=True)
    $output = $proc.stdout
    """,
    fixes=[
        fix(
            id="argument-list",
            code="""
        @@$proc = subprocess.run([$shellargs, $value], capture_output=True, text=True)
        $output = $proc.stdout
        """,
        ),
        fix(
            id="shlex-quote",
            code="""
        @@$proc = subprocess.run(["sh", "-c", f"$shellcmd {shlex.quote($value)}"], capture_output=True, text=True)
        $output = $proc.stdout
        """,
            imports=_SHLEX,
        ),
    ],
    imports=_SUB,
)

sink(
    id="os-command-percent-popen",
    cwe=CWE,
    api="os.popen",
    vulnerable="""
    @@$output = os.popen("$shellcmd %s" % $value).read()
    """,
    fixes=[
        fix(
            id="subprocess-argument-list",
            code="""
        @@$output = subprocess.run([$shellargs, $value], capture_output=True, text=True).stdout
        """,
            imports=_SUB,
        ),
        fix(
            id="shlex-quote",
            code="""
        @@$output = os.popen("$shellcmd %s" % shlex.quote($value)).read()
        """,
            imports=_SHLEX,
        ),
    ],
    imports=("import os",),
)

sink(
    id="os-command-format-popen-shell",
    cwe=CWE,
    api="subprocess.Popen",
    vulnerable="""
    if len($value) > $maxlen:
        $reject
    @@$proc = subprocess.Popen("$shellcmd {}".format($value), shell=True, stdout=subprocess.PIPE)
    $output = $proc.communicate()[0]
    """,
    fixes=[
        fix(
            id="argument-list",
            code="""
        if len($value) > $maxlen:
            $reject
        @@$proc = subprocess.Popen([$shellargs, $value], stdout=subprocess.PIPE)
        $output = $proc.communicate()[0]
        """,
        ),
        fix(
            id="allow-list",
            code="""
        if $value not in $ALLOWED:
            $reject
        @@$proc = subprocess.Popen("$shellcmd {}".format($value), shell=True, stdout=subprocess.PIPE)
        $output = $proc.communicate()[0]
        """,
            prelude=ALLOW_LIST,
        ),
    ],
    imports=_SUB,
)

sink(
    id="os-command-built-lines-run-shell",
    cwe=CWE,
    api="subprocess.run",
    vulnerable="""
    $cmdline = "$shellcmd"
    $cmdline += " " + $value
    @@$proc = subprocess.run($cmdline, shell=True, capture_output=True, text=True)
    $output = $proc.stdout
    """,
    fixes=[
        fix(
            id="shlex-quote-lines",
            code="""
        $cmdline = "$shellcmd"
        $cmdline += " " + shlex.quote($value)
        @@$proc = subprocess.run($cmdline, shell=True, capture_output=True, text=True)
        $output = $proc.stdout
        """,
            imports=_SHLEX,
        ),
        fix(
            id="argument-list-lines",
            code="""
        $cmdargs = [$shellargs]
        $cmdargs.append($value)
        @@$proc = subprocess.run($cmdargs, capture_output=True, text=True)
        $output = $proc.stdout
        """,
        ),
    ],
    imports=_SUB,
)

sink(
    id="os-command-joined-list-call-shell",
    cwe=CWE,
    api="subprocess.call",
    vulnerable="""
    $cmdargs = [$shellargs]
    $cmdargs.append($value)
    $cmdline = " ".join($cmdargs)
    @@$status = subprocess.call($cmdline, shell=True)
    """,
    fixes=[
        fix(
            id="shlex-join",
            code="""
        $cmdargs = [$shellargs]
        $cmdargs.append($value)
        $cmdline = shlex.join($cmdargs)
        @@$status = subprocess.call($cmdline, shell=True)
        """,
            imports=_SHLEX,
        ),
        fix(
            id="argument-list-no-shell",
            code="""
        $cmdargs = [$shellargs]
        $cmdargs.append($value)
        $cmdline = list($cmdargs)
        @@$status = subprocess.call($cmdline)
        """,
        ),
    ],
    imports=_SUB,
)
