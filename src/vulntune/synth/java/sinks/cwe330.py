"""CWE-330 insufficiently random values: java.util.Random / Math.random for security tokens."""

from vulntune.synth.java.sinks.common import fix, sink, vocabulary

CWE = "CWE-330"
VOCABULARY = vocabulary(
    cwe=CWE, params=("user", "email", "accountId", "login"), constants=("system",), headers=("X-User",)
)

_STORE = "private final Map<String, String> $store = new ConcurrentHashMap<>();"
_IMPORTS = ("java.util.Map", "java.util.concurrent.ConcurrentHashMap")
_PUT = '$store.put($value, $token);\n$log.info("issued token for $entity");'


def _both(sink_id: str, api: str, weak: str, strong: str, imports: tuple[str, ...], fix_imports=()) -> None:
    sink(
        id=sink_id,
        cwe=CWE,
        api=api,
        prelude=_STORE,
        imports=_IMPORTS + imports,
        vulnerable=weak + _PUT,
        fixes=(fix(id="secure-random", imports=("java.security.SecureRandom",) + fix_imports, code=strong + _PUT),),
    )


_both(
    "weak-random-util-random",
    "java.util.Random()",
    "@@Random $rnd = new Random();\nString $token = Long.toHexString($rnd.nextLong());\n",
    "@@SecureRandom $rnd = new SecureRandom();\nString $token = Long.toHexString($rnd.nextLong());\n",
    ("java.util.Random",),
)
_both(
    "weak-random-math-random",
    "java.lang.Math.random",
    "@@String $token = String.valueOf((long) (Math.random() * 1_000_000_000L));\n",
    "@@String $token = String.valueOf(new SecureRandom().nextInt(1_000_000_000));\n",
    (),
)
_both(
    "weak-random-thread-local-random",
    "java.util.concurrent.ThreadLocalRandom.nextInt",
    "@@String $token = String.valueOf(ThreadLocalRandom.current().nextInt(100000, 1000000));\n",
    "@@String $token = String.valueOf(new SecureRandom().nextInt(900000) + 100000);\n",
    ("java.util.concurrent.ThreadLocalRandom",),
)
_both(
    "weak-random-seeded-random-bytes",
    "java.util.Random(long).nextBytes",
    "@@Random $rnd = new Random(System.currentTimeMillis());\nbyte[] $data = new byte[24];\n$rnd.nextBytes($data);\n"
    "String $token = Base64.getUrlEncoder().withoutPadding().encodeToString($data);\n",
    "@@SecureRandom $rnd = new SecureRandom();\nbyte[] $data = new byte[24];\n$rnd.nextBytes($data);\n"
    "String $token = Base64.getUrlEncoder().withoutPadding().encodeToString($data);\n",
    ("java.util.Base64", "java.util.Random"),
)
