"""CWE-330 insufficiently random values: the `random` module (and uuid1) making tokens, reset
codes and session ids. Fixes use `secrets`, SystemRandom or uuid4."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import NON_TAINT, fix, sink
from vulntune.synth.template import REGISTRY

CWE = "CWE-330"
_STORE = "$STORE = {}"
_RANDOM = ("import random",)
_SECRETS = ("import secrets",)

SINKS = [
    sink(
        "predictable-random-choice-token",
        CWE,
        "random.choice",
        """
        @@$token = "".join(random.choice(string.ascii_letters + string.digits) for _ in range(32))
        $STORE[$token] = $value
        """,
        [
            fix(
                "secrets-choice",
                """
            @@$token = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
            $STORE[$token] = $value
            """,
                imports=_SECRETS,
            ),
            fix(
                "token-urlsafe",
                """
            @@$token = secrets.token_urlsafe(24)
            $STORE[$token] = $value
            """,
                imports=_SECRETS,
            ),
        ],
        safe_kinds=NON_TAINT,
        imports=_RANDOM + ("import string",),
        prelude=_STORE,
    ),
    sink(
        "predictable-random-randint-code",
        CWE,
        "random.randint",
        """
        @@$token = str(random.randint(100000, 999999))
        $STORE[$value] = $token
        """,
        [
            fix(
                "secrets-randbelow",
                """
            @@$token = str(secrets.randbelow(900000) + 100000)
            $STORE[$value] = $token
            """,
                imports=_SECRETS,
            ),
            fix(
                "secrets-randbelow-padded",
                """
            @@$token = "%06d" % secrets.randbelow(10**6)
            $STORE[$value] = $token
            """,
                imports=_SECRETS,
            ),
        ],
        safe_kinds=NON_TAINT,
        imports=_RANDOM,
        prelude=_STORE,
    ),
    sink(
        "predictable-random-random-session-id",
        CWE,
        "random.random",
        """
        @@$token = hashlib.sha256(str(random.random()).encode()).hexdigest()
        $STORE[$token] = $value
        """,
        [
            fix(
                "token-hex",
                """
            @@$token = secrets.token_hex(32)
            $STORE[$token] = $value
            """,
                imports=_SECRETS,
            ),
        ],
        safe_kinds=NON_TAINT,
        imports=_RANDOM + ("import hashlib",),
        prelude=_STORE,
    ),
    sink(
        "predictable-random-getrandbits-nonce",
        CWE,
        "random.getrandbits",
        """
        @@$token = "%032x" % random.getrandbits(128)
        $STORE[$value] = $token
        """,
        [
            fix(
                "secrets-randbits",
                """
            @@$token = "%032x" % secrets.randbits(128)
            $STORE[$value] = $token
            """,
                imports=_SECRETS,
            ),
            fix(
                "token-hex",
                """
            @@$token = secrets.token_hex(16)
            $STORE[$value] = $token
            """,
                imports=_SECRETS,
            ),
        ],
        safe_kinds=NON_TAINT,
        imports=_RANDOM,
        prelude=_STORE,
    ),
    sink(
        "predictable-time-seeded-random",
        CWE,
        "random.Random",
        """
        @@$gen = random.Random(int(time.time()))
        $token = "".join($gen.choice(string.hexdigits) for _ in range(20))
        $STORE[$token] = $value
        """,
        [
            fix(
                "system-random",
                """
            @@$gen = random.SystemRandom()
            $token = "".join($gen.choice(string.hexdigits) for _ in range(20))
            $STORE[$token] = $value
            """,
            ),
        ],
        safe_kinds=NON_TAINT,
        imports=_RANDOM + ("import string", "import time"),
        prelude=_STORE,
    ),
    sink(
        "predictable-uuid1-token",
        CWE,
        "uuid.uuid1",
        """
        @@$token = str(uuid.uuid1())
        $STORE[$token] = $value
        """,
        [
            fix(
                "uuid4",
                """
            @@$token = str(uuid.uuid4())
            $STORE[$token] = $value
            """,
            ),
        ],
        safe_kinds=NON_TAINT,
        imports=("import uuid",),
        prelude=_STORE,
    ),
]

REGISTRY.register_all(SINKS)
