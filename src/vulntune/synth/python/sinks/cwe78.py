"""CWE-78 OS command injection: os.system, os.popen, subprocess with a shell, wrappers and methods
that build the command from configuration and a parameter."""

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

# Commands as real projects assemble them: over several statements, from configuration and a
# parameter, in a helper or a method, and run through a wrapper that starts a shell.
_TOOL = '$TOOLCMD = "$shellcmd"'
_QUOTE_HELPER = """
def $cmdfn($argname: str) -> str:
    $cmdline = "{} {}".format($TOOLCMD, ARG)
    @@return subprocess.check_output($cmdline, shell=True, text=True)
"""

sink(
    id="os-command-helper-format-check-output",
    cwe=CWE,
    api="subprocess.check_output",
    helper=_QUOTE_HELPER.replace("ARG", "$argname"),
    vulnerable="""
    $output = $cmdfn($value)
    """,
    fixes=[
        fix(
            id="shlex-quote-in-helper",
            helper=_QUOTE_HELPER.replace("ARG", "shlex.quote($argname)"),
            code="""
        $output = $cmdfn($value)
        """,
            imports=_SHLEX,
        ),
        fix(
            id="split-constant-argument-list",
            helper="""
        def $cmdfn($argname: str) -> str:
            $cmdargs = shlex.split($TOOLCMD) + [$argname]
            @@return subprocess.check_output($cmdargs, text=True)
        """,
            code="""
        $output = $cmdfn($value)
        """,
            imports=_SHLEX,
        ),
    ],
    imports=_SUB,
    prelude=_TOOL,
)

_RUNNER = """
class $Runner:
    def __init__(self, $cfgattr: str = "$shellcmd", $wdattr: str = "$basedir"):
        self.$cfgattr = $cfgattr
        self.$wdattr = $wdattr

    def $runmeth(self, $argname: str) -> str:
BODY
        return $proc.stdout
"""
_SELF_SHELL = (
    '        $cmdline = f"cd {self.$wdattr} && {self.$cfgattr} {ARG}"\n'
    "        @@$proc = subprocess.run($cmdline, shell=True, capture_output=True, text=True)"
)
sink(
    id="os-command-method-self-config-run-shell",
    cwe=CWE,
    api="subprocess.run",
    helper=_RUNNER.replace("BODY", _SELF_SHELL.replace("ARG", "$argname")),
    vulnerable="""
    $output = $Runner().$runmeth($value)
    """,
    fixes=[
        fix(
            id="shlex-quote-in-method",
            helper=_RUNNER.replace("BODY", _SELF_SHELL.replace("ARG", "shlex.quote($argname)")),
            code="""
        $output = $Runner().$runmeth($value)
        """,
            imports=_SHLEX,
        ),
        fix(
            id="argument-list-cwd",
            helper=_RUNNER.replace(
                "BODY",
                "        $cmdargs = shlex.split(self.$cfgattr) + [$argname]\n"
                "        @@$proc = subprocess.run($cmdargs, cwd=self.$wdattr, capture_output=True, text=True)",
            ),
            code="""
        $output = $Runner().$runmeth($value)
        """,
            imports=_SHLEX,
        ),
    ],
    imports=_SUB,
)

sink(
    id="os-command-wrapper-shell-percent",
    cwe=CWE,
    api="subprocess.run",
    helper="""
    def $cmdfn($cmdline: str) -> str:
        @@$proc = subprocess.run($cmdline, shell=True, capture_output=True, text=True)
        return $proc.stdout
    """,
    vulnerable="""
    $cmdline = "$shellcmd %s" % $value
    $output = $cmdfn($cmdline)
    """,
    fixes=[
        fix(
            id="shlex-quote-before-wrapper",
            code="""
        $cmdline = "$shellcmd %s" % shlex.quote($value)
        $output = $cmdfn($cmdline)
        """,
            imports=_SHLEX,
        ),
        fix(
            id="allow-list-before-wrapper",
            code="""
        if $value not in $ALLOWED:
            $reject
        $cmdline = "$shellcmd %s" % $value
        $output = $cmdfn($cmdline)
        """,
            prelude=ALLOW_LIST,
        ),
    ],
    imports=_SUB,
)

_JOINED = """
$cmdargs = list($TOOLCFG["args"])
$cmdargs.append($value)
@@$proc = subprocess.Popen(COMMAND, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
$output, $errs = $proc.communicate(timeout=$TOOLCFG["timeout"])
"""
sink(
    id="os-command-config-args-joined-popen-shell",
    cwe=CWE,
    api="subprocess.Popen",
    vulnerable=_JOINED.replace("COMMAND", '" ".join($cmdargs), shell=True'),
    fixes=[
        fix(id="shlex-join", code=_JOINED.replace("COMMAND", "shlex.join($cmdargs), shell=True"), imports=_SHLEX),
        fix(id="argument-list-no-shell", code=_JOINED.replace("COMMAND", "$cmdargs")),
    ],
    imports=_SUB,
    prelude='$TOOLCFG = {"args": [$shellargs], "timeout": $timeout}',
)

_POPEN_CONFIG = (
    '$cmdline = "cd {} && {} {}".format($TOOLCFG["workdir"], $TOOLCFG["bin"], ARG)\n'
    "@@$output = os.popen($cmdline).read()"
)
sink(
    id="os-command-config-format-popen-read",
    cwe=CWE,
    api="os.popen",
    vulnerable=_POPEN_CONFIG.replace("ARG", "$value"),
    fixes=[
        fix(id="shlex-quote", code=_POPEN_CONFIG.replace("ARG", "shlex.quote($value)"), imports=_SHLEX),
        fix(
            id="regex-fullmatch",
            code='if not re.fullmatch(r"\\w[\\w.-]*", $value):\n    $reject\n' + _POPEN_CONFIG.replace("ARG", "$value"),
            imports=("import re",),
        ),
    ],
    imports=("import os",),
    prelude='$TOOLCFG = {"bin": "$shellcmd", "workdir": "$basedir"}',
)

_ENV_CALL = """
$tooldir = os.environ.get("TOOLS_DIR", "/usr/bin")
CALL
"""
sink(
    id="os-command-env-dir-fstring-check-call",
    cwe=CWE,
    api="subprocess.check_call",
    vulnerable=_ENV_CALL.replace(
        "CALL", '$cmdline = f"{$tooldir}/$shellcmd {$value}"\n@@$status = subprocess.check_call($cmdline, shell=True)'
    ),
    fixes=[
        fix(
            id="shlex-quote",
            code=_ENV_CALL.replace(
                "CALL",
                '$cmdline = f"{$tooldir}/$shellcmd {shlex.quote($value)}"\n'
                "@@$status = subprocess.check_call($cmdline, shell=True)",
            ),
            imports=_SHLEX,
        ),
        fix(
            id="argument-list-path-env",
            code=_ENV_CALL.replace(
                "CALL", '@@$status = subprocess.check_call([$shellargs, $value], env={"PATH": $tooldir})'
            ),
        ),
    ],
    imports=("import os", "import subprocess"),
)

_GETOUTPUT = """
$cmdline = " ".join([$TOOLCMD, ARG, "2>&1"])
@@$output = subprocess.getoutput($cmdline)
"""
sink(
    id="os-command-joined-words-getoutput",
    cwe=CWE,
    api="subprocess.getoutput",
    vulnerable=_GETOUTPUT.replace("ARG", "$value"),
    fixes=[
        fix(id="shlex-quote", code=_GETOUTPUT.replace("ARG", "shlex.quote($value)"), imports=_SHLEX),
        fix(
            id="split-constant-run",
            code="""
        $cmdargs = shlex.split($TOOLCMD) + [$value]
        @@$output = subprocess.run($cmdargs, capture_output=True, text=True).stdout
        """,
            imports=_SHLEX,
        ),
    ],
    imports=_SUB,
    prelude=_TOOL,
)

_CLASS_PERCENT = """
class $Runner:
    $cfgattr = "$shellcmd"

    def $runmeth(self, $argname: str) -> bytes:
CHECK        $cmdline = "%s %s" % (self.$cfgattr, ARG)
        @@$proc = subprocess.Popen($cmdline, shell=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        $output, $errs = $proc.communicate()
        return $output
"""
_METHOD_CALL = """
$result = $Runner().$runmeth($value)
"""
sink(
    id="os-command-method-percent-popen-shell",
    cwe=CWE,
    api="subprocess.Popen",
    helper=_CLASS_PERCENT.replace("CHECK", "").replace("ARG", "$argname"),
    vulnerable=_METHOD_CALL,
    fixes=[
        fix(
            id="shlex-quote-in-method",
            helper=_CLASS_PERCENT.replace("CHECK", "").replace("ARG", "shlex.quote($argname)"),
            code=_METHOD_CALL,
            imports=_SHLEX,
        ),
        fix(
            id="allow-list-in-method",
            helper=_CLASS_PERCENT.replace(
                "CHECK", '        if $argname not in $ALLOWED:\n            raise ValueError("$msg")\n'
            ).replace("ARG", "$argname"),
            code=_METHOD_CALL,
            prelude=ALLOW_LIST,
        ),
    ],
    imports=_SUB,
)
