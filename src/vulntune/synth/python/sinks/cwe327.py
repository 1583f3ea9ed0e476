"""CWE-327 broken or risky cryptography: DES, ARC4, Blowfish, AES in ECB mode (PyCryptodome and
`cryptography`). Fixes use AES-GCM."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import fix, sink, vocabulary

CWE = "CWE-327"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("secret_text", "message_text", "note_text", "plaintext", "card_number", "memo"),
    constants=("hello", "pending", "n/a", "none", "sample"),
    affixes=(("v1:", ""), ("", "|v2")),
    step_comment="# encrypt the note",
)

_KEY = "$KEY = get_random_bytes(32)"
_RANDOM = ("from Crypto.Random import get_random_bytes",)
_AES = ("from Crypto.Cipher import AES",)
_GCM = fix(
    id="aes-gcm",
    code="""
    @@$cipher = AES.new($KEY, AES.MODE_GCM)
    $blob, $tag = $cipher.encrypt_and_digest($value.encode())
    $blob = $cipher.nonce + $blob
    """,
    imports=_AES,
)

sink(
    id="cipher-des-ecb",
    cwe=CWE,
    api="Crypto.Cipher.DES.new",
    vulnerable="""
    @@$cipher = DES.new($KEY[:8], DES.MODE_ECB)
    $blob = $cipher.encrypt(pad($value.encode(), 8))
    $tag = hmac.new($KEY, $blob, hashlib.sha256).digest()
    """,
    fixes=[_GCM],
    prelude=_KEY,
    imports=_RANDOM
    + ("from Crypto.Cipher import DES", "from Crypto.Util.Padding import pad", "import hashlib", "import hmac"),
)

sink(
    id="cipher-arc4-stream",
    cwe=CWE,
    api="Crypto.Cipher.ARC4.new",
    vulnerable="""
    @@$cipher = ARC4.new($KEY)
    $blob = $cipher.encrypt($value.encode())
    $tag = hmac.new($KEY, $blob, hashlib.sha256).digest()
    """,
    fixes=[
        _GCM,
        fix(
            id="chacha20-poly1305",
            code="""
        @@$cipher = ChaCha20_Poly1305.new(key=$KEY)
        $blob, $tag = $cipher.encrypt_and_digest($value.encode())
        $blob = $cipher.nonce + $blob
        """,
            imports=("from Crypto.Cipher import ChaCha20_Poly1305",),
        ),
    ],
    prelude=_KEY,
    imports=_RANDOM + ("from Crypto.Cipher import ARC4", "import hashlib", "import hmac"),
)

sink(
    id="cipher-blowfish-cbc",
    cwe=CWE,
    api="Crypto.Cipher.Blowfish.new",
    vulnerable="""
    $nonce = get_random_bytes(8)
    @@$cipher = Blowfish.new($KEY, Blowfish.MODE_CBC, $nonce)
    $blob = $nonce + $cipher.encrypt(pad($value.encode(), Blowfish.block_size))
    """,
    fixes=[
        fix(
            id="aes-gcm",
            code="""
        $nonce = get_random_bytes(12)
        @@$cipher = AES.new($KEY, AES.MODE_GCM, nonce=$nonce)
        $blob = $nonce + b"".join($cipher.encrypt_and_digest($value.encode()))
        """,
            imports=_AES,
        ),
    ],
    prelude=_KEY,
    imports=_RANDOM + ("from Crypto.Cipher import Blowfish", "from Crypto.Util.Padding import pad"),
)

sink(
    id="cipher-aes-ecb-mode",
    cwe=CWE,
    api="Crypto.Cipher.AES.new",
    vulnerable="""
    @@$cipher = AES.new($KEY, AES.MODE_ECB)
    $blob = $cipher.encrypt(pad($value.encode(), AES.block_size))
    """,
    fixes=[
        fix(
            id="aes-gcm",
            code="""
        @@$cipher = AES.new($KEY, AES.MODE_GCM)
        $blob = $cipher.nonce + b"".join($cipher.encrypt_and_digest($value.encode()))
        """,
        ),
    ],
    prelude=_KEY,
    imports=_RANDOM + _AES + ("from Crypto.Util.Padding import pad",),
)

sink(
    id="cipher-ecb-mode-cryptography",
    cwe=CWE,
    api="cryptography.hazmat.primitives.ciphers.modes.ECB",
    vulnerable="""
    $padder = padding.PKCS7(128).padder()
    @@$cipher = Cipher(algorithms.AES($KEY), modes.ECB()).encryptor()
    $blob = $cipher.update($padder.update($value.encode()) + $padder.finalize()) + $cipher.finalize()
    """,
    fixes=[
        fix(
            id="aesgcm",
            code="""
        $nonce = os.urandom(12)
        @@$cipher = AESGCM($KEY)
        $blob = $nonce + $cipher.encrypt($nonce, $value.encode(), None)
        """,
            imports=("from cryptography.hazmat.primitives.ciphers.aead import AESGCM",),
        ),
        fix(
            id="gcm-mode",
            code="""
        $nonce = os.urandom(12)
        @@$cipher = Cipher(algorithms.AES($KEY), modes.GCM($nonce)).encryptor()
        $blob = $nonce + $cipher.update($value.encode()) + $cipher.finalize() + $cipher.tag
        """,
        ),
    ],
    prelude="$KEY = os.urandom(32)",
    imports=(
        "import os",
        "from cryptography.hazmat.primitives import padding",
        "from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes",
    ),
)
