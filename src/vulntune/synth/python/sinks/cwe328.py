"""CWE-328 weak hash: MD5 and SHA-1 for passwords and integrity (hashlib, hmac, PyCryptodome)."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import fix, sink, vocabulary

CWE = "CWE-328"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("password", "passphrase", "pin_code", "document_text", "message_text", "secret_text"),
    constants=("changeme", "default", "none", "sample", "empty"),
    affixes=(("", ":v1"), ("pw:", "")),
    step_comment="# hash the value",
)

_SALT = "$SALT = os.urandom(16)"
_HASHLIB = ("import hashlib", "import os")

sink(
    id="weak-hash-md5-password",
    cwe=CWE,
    api="hashlib.md5",
    vulnerable="""
    @@$digest = hashlib.md5($SALT + $value.encode()).hexdigest()
    """,
    fixes=[
        fix(
            id="pbkdf2-hmac",
            code="""
        @@$digest = hashlib.pbkdf2_hmac("sha256", $value.encode(), $SALT, 600000).hex()
        """,
        ),
        fix(
            id="scrypt",
            code="""
        @@$digest = hashlib.scrypt($value.encode(), salt=$SALT, n=2**14, r=8, p=1).hex()
        """,
        ),
    ],
    imports=_HASHLIB,
    prelude=_SALT,
)

sink(
    id="weak-hash-sha1-checksum",
    cwe=CWE,
    api="hashlib.sha1",
    vulnerable="""
    @@$digest = hashlib.sha1($value.encode()).hexdigest()
    """,
    fixes=[
        fix(
            id="sha256",
            code="""
        @@$digest = hashlib.sha256($value.encode()).hexdigest()
        """,
        ),
        fix(
            id="blake2b",
            code="""
        @@$digest = hashlib.blake2b($value.encode(), digest_size=32).hexdigest()
        """,
        ),
    ],
    imports=("import hashlib",),
)

sink(
    id="weak-hash-new-md5",
    cwe=CWE,
    api="hashlib.new",
    vulnerable="""
    @@$hasher = hashlib.new("md5")
    $hasher.update($value.encode())
    $digest = $hasher.hexdigest()
    """,
    fixes=[
        fix(
            id="sha256",
            code="""
        @@$hasher = hashlib.new("sha256")
        $hasher.update($value.encode())
        $digest = $hasher.hexdigest()
        """,
        ),
        fix(
            id="sha3-256",
            code="""
        @@$hasher = hashlib.new("sha3_256")
        $hasher.update($value.encode())
        $digest = $hasher.hexdigest()
        """,
        ),
    ],
    imports=("import hashlib",),
)

sink(
    id="weak-hash-pycryptodome-md5",
    cwe=CWE,
    api="Crypto.Hash.MD5.new",
    vulnerable="""
    @@$digest = MD5.new($value.encode()).hexdigest()
    """,
    fixes=[
        fix(
            id="sha256",
            code="""
        @@$digest = SHA256.new($value.encode()).hexdigest()
        """,
            imports=("from Crypto.Hash import SHA256",),
        ),
    ],
    imports=("from Crypto.Hash import MD5",),
)

sink(
    id="weak-hash-hmac-md5",
    cwe=CWE,
    api="hmac.new",
    vulnerable="""
    @@$digest = hmac.new($SALT, $value.encode(), hashlib.md5).hexdigest()
    """,
    fixes=[
        fix(
            id="hmac-sha256",
            code="""
        @@$digest = hmac.new($SALT, $value.encode(), hashlib.sha256).hexdigest()
        """,
        ),
    ],
    imports=_HASHLIB + ("import hmac",),
    prelude=_SALT,
)
