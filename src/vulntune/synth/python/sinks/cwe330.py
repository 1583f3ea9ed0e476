"""CWE-330 insufficiently random values: the `random` module (and uuid1) making tokens, reset
codes and session ids. Fixes use `secrets`, SystemRandom or uuid4."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import fix, sink, vocabulary

CWE = "CWE-330"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("username", "email_addr", "account_id", "user_id", "login"),
    constants=("anonymous", "guest", "system", "service"),
    affixes=(("", "@example.com"), ("user:", "")),
    step_comment="# issue a token",
)

_STORE = "$STORE = {}"
_RANDOM = ("import random",)
_SECRETS = ("import secrets",)

sink(
    id="predictable-random-choice-token",
    cwe=CWE,
    api="random.choice",
    vulnerable="""
    @@$token = "".join(random.choice(string.ascii_letters + string.digits) for _ in range(32))
    $STORE[$token] = $value
    """,
    fixes=[
        fix(
            id="secrets-choice",
            code="""
        @@$token = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
        $STORE[$token] = $value
        """,
            imports=_SECRETS,
        ),
        fix(
            id="token-urlsafe",
            code="""
        @@$token = secrets.token_urlsafe(24)
        $STORE[$token] = $value
        """,
            imports=_SECRETS,
        ),
    ],
    imports=_RANDOM + ("import string",),
    prelude=_STORE,
)

sink(
    id="predictable-random-randint-code",
    cwe=CWE,
    api="random.randint",
    vulnerable="""
    @@$token = str(random.randint(100000, 999999))
    $STORE[$value] = $token
    """,
    fixes=[
        fix(
            id="secrets-randbelow",
            code="""
        @@$token = str(secrets.randbelow(900000) + 100000)
        $STORE[$value] = $token
        """,
            imports=_SECRETS,
        ),
        fix(
            id="secrets-randbelow-padded",
            code="""
        @@$token = "%06d" % secrets.randbelow(10**6)
        $STORE[$value] = $token
        """,
            imports=_SECRETS,
        ),
    ],
    imports=_RANDOM,
    prelude=_STORE,
)

sink(
    id="predictable-random-random-session-id",
    cwe=CWE,
    api="random.random",
    vulnerable="""
    @@$token = hashlib.sha256(str(random.random()).encode()).hexdigest()
    $STORE[$token] = $value
    """,
    fixes=[
        fix(
            id="token-hex",
            code="""
        @@$token = secrets.token_hex(32)
        $STORE[$token] = $value
        """,
            imports=_SECRETS,
        ),
    ],
    imports=_RANDOM + ("import hashlib",),
    prelude=_STORE,
)

sink(
    id="predictable-random-getrandbits-nonce",
    cwe=CWE,
    api="random.getrandbits",
    vulnerable="""
    @@$token = "%032x" % random.getrandbits(128)
    $STORE[$value] = $token
    """,
    fixes=[
        fix(
            id="secrets-randbits",
            code="""
        @@$token = "%032x" % secrets.randbits(128)
        $STORE[$value] = $token
        """,
            imports=_SECRETS,
        ),
        fix(
            id="token-hex",
            code="""
        @@$token = secrets.token_hex(16)
        $STORE[$value] = $token
        """,
            imports=_SECRETS,
        ),
    ],
    imports=_RANDOM,
    prelude=_STORE,
)

sink(
    id="predictable-time-seeded-random",
    cwe=CWE,
    api="random.Random",
    vulnerable="""
    @@$gen = random.Random(int(time.time()))
    $token = "".join($gen.choice(string.hexdigits) for _ in range(20))
    $STORE[$token] = $value
    """,
    fixes=[
        fix(
            id="system-random",
            code="""
        @@$gen = random.SystemRandom()
        $token = "".join($gen.choice(string.hexdigits) for _ in range(20))
        $STORE[$token] = $value
        """,
        ),
    ],
    imports=_RANDOM + ("import string", "import time"),
    prelude=_STORE,
)

sink(
    id="predictable-uuid1-token",
    cwe=CWE,
    api="uuid.uuid1",
    vulnerable="""
    @@$token = str(uuid.uuid1())
    $STORE[$token] = $value
    """,
    fixes=[
        fix(
            id="uuid4",
            code="""
        @@$token = str(uuid.uuid4())
        $STORE[$token] = $value
        """,
        ),
    ],
    imports=("import uuid",),
    prelude=_STORE,
)
