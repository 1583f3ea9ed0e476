"""CWE-22 path traversal: files opened, read, written or deleted under a base directory."""

from vulntune.synth.java.sinks.common import fix, sink, vocabulary

CWE = "CWE-22"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("file", "filename", "doc", "path", "attachment", "asset"),
    constants=("summary.csv", "latest.pdf", "readme.txt", "index.json"),
    affixes=(("", ".csv"), ("", ".pdf"), ("exports/", ""), ("", ".txt")),
    headers=("X-File-Name", "X-Document"),
)

_BASE = 'private static final String $base = "$basedir";'
_CANONICAL = (
    "if (!$path.getCanonicalPath().startsWith(new File($base).getCanonicalPath() + File.separator)) {\n"
    '    throw new IllegalArgumentException("invalid path");\n'
    "}\n"
)
_NORMALIZE = (
    "Path $root = Paths.get($base).toAbsolutePath().normalize();\n"
    "Path $path = $root.resolve($value).normalize();\n"
    "if (!$path.startsWith($root)) {\n"
    '    throw new IllegalArgumentException("invalid path");\n'
    "}\n"
)
_FILE_NAME = "Path $path = Paths.get($base).resolve(Paths.get($value).getFileName().toString());\n"

_READ_STREAM = (
    "@@try (InputStream $fin = new FileInputStream($path)) {\n"
    '    $log.info("read " + $fin.readAllBytes().length + " bytes");\n'
    "}"
)
sink(
    id="path-file-input-stream",
    cwe=CWE,
    api="java.io.FileInputStream(File)",
    prelude=_BASE,
    imports=("java.io.File", "java.io.FileInputStream", "java.io.InputStream"),
    vulnerable="File $path = new File($base, $value);\n" + _READ_STREAM,
    fixes=(
        fix(id="canonical-path-check", code="File $path = new File($base, $value);\n" + _CANONICAL + _READ_STREAM),
        fix(id="file-name-only", code="File $path = new File($base, new File($value).getName());\n" + _READ_STREAM),
    ),
)

_READ_ALL = '@@byte[] $data = Files.readAllBytes($path);\n$log.info("loaded " + $data.length + " bytes");'
_NIO = ("java.nio.file.Files", "java.nio.file.Path", "java.nio.file.Paths")
sink(
    id="path-files-read-all-bytes",
    cwe=CWE,
    api="java.nio.file.Files.readAllBytes",
    prelude=_BASE,
    imports=_NIO,
    vulnerable="Path $path = Paths.get($base, $value);\n" + _READ_ALL,
    fixes=(
        fix(id="normalize-starts-with", code=_NORMALIZE + _READ_ALL),
        fix(id="file-name-only", code=_FILE_NAME + _READ_ALL),
    ),
)

_DELETE = '@@boolean $res = Files.deleteIfExists($path);\n$log.info("removed " + $res);'
sink(
    id="path-files-delete",
    cwe=CWE,
    api="java.nio.file.Files.deleteIfExists",
    prelude=_BASE,
    imports=_NIO,
    vulnerable='Path $path = Paths.get($base + "/" + $value);\n' + _DELETE,
    # No file-name-only fix here: getFileName() keeps "..", and deleting the parent is a traversal.
    fixes=(fix(id="normalize-starts-with", code=_NORMALIZE + _DELETE),),
)

_WRITE = (
    "@@try (FileOutputStream $fout = new FileOutputStream($path)) {\n"
    '    $fout.write("$entity export".getBytes(StandardCharsets.UTF_8));\n'
    "}"
)
sink(
    id="path-file-output-stream",
    cwe=CWE,
    api="java.io.FileOutputStream(File)",
    prelude=_BASE,
    imports=("java.io.File", "java.io.FileOutputStream", "java.nio.charset.StandardCharsets"),
    vulnerable="File $path = new File($base + File.separator + $value);\n" + _WRITE,
    fixes=(
        fix(
            id="canonical-path-check",
            code="File $path = new File($base + File.separator + $value);\n" + _CANONICAL + _WRITE,
        ),
        fix(id="file-name-only", code="File $path = new File($base, new File($value).getName());\n" + _WRITE),
    ),
)

_READER = (
    "@@try (BufferedReader $lines = Files.newBufferedReader($path, StandardCharsets.UTF_8)) {\n"
    '    $log.info("first line " + $lines.readLine());\n'
    "}"
)
sink(
    id="path-files-new-buffered-reader",
    cwe=CWE,
    api="java.nio.file.Files.newBufferedReader",
    prelude=_BASE,
    imports=_NIO + ("java.io.BufferedReader", "java.nio.charset.StandardCharsets"),
    vulnerable="Path $path = Paths.get($base).resolve($value);\n" + _READER,
    fixes=(
        fix(id="normalize-starts-with", code=_NORMALIZE + _READER),
        fix(id="file-name-only", code=_FILE_NAME + _READER),
    ),
)
