"""CWE-327 broken or risky cryptography: DES, ARC4, Blowfish, AES in ECB mode (PyCryptodome and
`cryptography`). Fixes use AES-GCM."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import NON_TAINT, fix, sink
from vulntune.synth.template import REGISTRY

CWE = "CWE-327"
_KEY = "$KEY = get_random_bytes(32)"
_RANDOM = ("from Crypto.Random import get_random_bytes",)
_AES = ("from Crypto.Cipher import AES",)
_GCM = fix(
    "aes-gcm",
    """
    @@$cipher = AES.new($KEY, AES.MODE_GCM)
    $blob, $tag = $cipher.encrypt_and_digest($value.encode())
    $blob = $cipher.nonce + $blob
    """,
    imports=_AES,
)

SINKS = [
    sink(
        "cipher-des-ecb",
        CWE,
        "Crypto.Cipher.DES.new",
        """
        @@$cipher = DES.new($KEY[:8], DES.MODE_ECB)
        $blob = $cipher.encrypt(pad($value.encode(), 8))
        $tag = hmac.new($KEY, $blob, hashlib.sha256).digest()
        """,
        [_GCM],
        safe_kinds=NON_TAINT,
        prelude=_KEY,
        imports=_RANDOM
        + ("from Crypto.Cipher import DES", "from Crypto.Util.Padding import pad", "import hashlib", "import hmac"),
    ),
    sink(
        "cipher-arc4-stream",
        CWE,
        "Crypto.Cipher.ARC4.new",
        """
        @@$cipher = ARC4.new($KEY)
        $blob = $cipher.encrypt($value.encode())
        $tag = hmac.new($KEY, $blob, hashlib.sha256).digest()
        """,
        [
            _GCM,
            fix(
                "chacha20-poly1305",
                """
            @@$cipher = ChaCha20_Poly1305.new(key=$KEY)
            $blob, $tag = $cipher.encrypt_and_digest($value.encode())
            $blob = $cipher.nonce + $blob
            """,
                imports=("from Crypto.Cipher import ChaCha20_Poly1305",),
            ),
        ],
        safe_kinds=NON_TAINT,
        prelude=_KEY,
        imports=_RANDOM + ("from Crypto.Cipher import ARC4", "import hashlib", "import hmac"),
    ),
    sink(
        "cipher-blowfish-cbc",
        CWE,
        "Crypto.Cipher.Blowfish.new",
        """
        $nonce = get_random_bytes(8)
        @@$cipher = Blowfish.new($KEY, Blowfish.MODE_CBC, $nonce)
        $blob = $nonce + $cipher.encrypt(pad($value.encode(), Blowfish.block_size))
        """,
        [
            fix(
                "aes-gcm",
                """
            $nonce = get_random_bytes(12)
            @@$cipher = AES.new($KEY, AES.MODE_GCM, nonce=$nonce)
            $blob = $nonce + b"".join($cipher.encrypt_and_digest($value.encode()))
            """,
                imports=_AES,
            ),
        ],
        safe_kinds=NON_TAINT,
        prelude=_KEY,
        imports=_RANDOM + ("from Crypto.Cipher import Blowfish", "from Crypto.Util.Padding import pad"),
    ),
    sink(
        "cipher-aes-ecb-mode",
        CWE,
        "Crypto.Cipher.AES.new",
        """
        @@$cipher = AES.new($KEY, AES.MODE_ECB)
        $blob = $cipher.encrypt(pad($value.encode(), AES.block_size))
        """,
        [
            fix(
                "aes-gcm",
                """
            @@$cipher = AES.new($KEY, AES.MODE_GCM)
            $blob = $cipher.nonce + b"".join($cipher.encrypt_and_digest($value.encode()))
            """,
            ),
        ],
        safe_kinds=NON_TAINT,
        prelude=_KEY,
        imports=_RANDOM + _AES + ("from Crypto.Util.Padding import pad",),
    ),
    sink(
        "cipher-ecb-mode-cryptography",
        CWE,
        "cryptography.hazmat.primitives.ciphers.modes.ECB",
        """
        $padder = padding.PKCS7(128).padder()
        @@$cipher = Cipher(algorithms.AES($KEY), modes.ECB()).encryptor()
        $blob = $cipher.update($padder.update($value.encode()) + $padder.finalize()) + $cipher.finalize()
        """,
        [
            fix(
                "aesgcm",
                """
            $nonce = os.urandom(12)
            @@$cipher = AESGCM($KEY)
            $blob = $nonce + $cipher.encrypt($nonce, $value.encode(), None)
            """,
                imports=("from cryptography.hazmat.primitives.ciphers.aead import AESGCM",),
            ),
            fix(
                "gcm-mode",
                """
            $nonce = os.urandom(12)
            @@$cipher = Cipher(algorithms.AES($KEY), modes.GCM($nonce)).encryptor()
            $blob = $nonce + $cipher.update($value.encode()) + $cipher.finalize() + $cipher.tag
            """,
            ),
        ],
        safe_kinds=NON_TAINT,
        prelude="$KEY = os.urandom(32)",
        imports=(
            "import os",
            "from cryptography.hazmat.primitives import padding",
            "from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes",
        ),
    ),
]

REGISTRY.register_all(SINKS)
