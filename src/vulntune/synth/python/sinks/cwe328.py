"""CWE-328 weak hash: MD5 and SHA-1 for passwords and integrity (hashlib, hmac, PyCryptodome)."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import NON_TAINT, fix, sink
from vulntune.synth.template import REGISTRY

CWE = "CWE-328"
_SALT = "$SALT = os.urandom(16)"
_HASHLIB = ("import hashlib", "import os")

SINKS = [
    sink(
        "weak-hash-md5-password",
        CWE,
        "hashlib.md5",
        """
        @@$digest = hashlib.md5($SALT + $value.encode()).hexdigest()
        """,
        [
            fix(
                "pbkdf2-hmac",
                """
            @@$digest = hashlib.pbkdf2_hmac("sha256", $value.encode(), $SALT, 600000).hex()
            """,
            ),
            fix(
                "scrypt",
                """
            @@$digest = hashlib.scrypt($value.encode(), salt=$SALT, n=2**14, r=8, p=1).hex()
            """,
            ),
        ],
        safe_kinds=NON_TAINT,
        imports=_HASHLIB,
        prelude=_SALT,
    ),
    sink(
        "weak-hash-sha1-checksum",
        CWE,
        "hashlib.sha1",
        """
        @@$digest = hashlib.sha1($value.encode()).hexdigest()
        """,
        [
            fix(
                "sha256",
                """
            @@$digest = hashlib.sha256($value.encode()).hexdigest()
            """,
            ),
            fix(
                "blake2b",
                """
            @@$digest = hashlib.blake2b($value.encode(), digest_size=32).hexdigest()
            """,
            ),
        ],
        safe_kinds=NON_TAINT,
        imports=("import hashlib",),
    ),
    sink(
        "weak-hash-new-md5",
        CWE,
        "hashlib.new",
        """
        @@$hasher = hashlib.new("md5")
        $hasher.update($value.encode())
        $digest = $hasher.hexdigest()
        """,
        [
            fix(
                "sha256",
                """
            @@$hasher = hashlib.new("sha256")
            $hasher.update($value.encode())
            $digest = $hasher.hexdigest()
            """,
            ),
            fix(
                "sha3-256",
                """
            @@$hasher = hashlib.new("sha3_256")
            $hasher.update($value.encode())
            $digest = $hasher.hexdigest()
            """,
            ),
        ],
        safe_kinds=NON_TAINT,
        imports=("import hashlib",),
    ),
    sink(
        "weak-hash-pycryptodome-md5",
        CWE,
        "Crypto.Hash.MD5.new",
        """
        @@$digest = MD5.new($value.encode()).hexdigest()
        """,
        [
            fix(
                "sha256",
                """
            @@$digest = SHA256.new($value.encode()).hexdigest()
            """,
                imports=("from Crypto.Hash import SHA256",),
            ),
        ],
        safe_kinds=NON_TAINT,
        imports=("from Crypto.Hash import MD5",),
    ),
    sink(
        "weak-hash-hmac-md5",
        CWE,
        "hmac.new",
        """
        @@$digest = hmac.new($SALT, $value.encode(), hashlib.md5).hexdigest()
        """,
        [
            fix(
                "hmac-sha256",
                """
            @@$digest = hmac.new($SALT, $value.encode(), hashlib.sha256).hexdigest()
            """,
            ),
        ],
        safe_kinds=NON_TAINT,
        imports=_HASHLIB + ("import hmac",),
        prelude=_SALT,
    ),
]

REGISTRY.register_all(SINKS)
