"""CWE-327 broken or risky cryptography: DES, 3DES, RC4, Blowfish, ECB mode, old TLS; the transformation\nwritten inline or kept in a constant, a local variable or a helper method."""

from vulntune.synth.java.sinks.common import fix, sink, vocabulary

CWE = "CWE-327"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("note", "payload", "secretNote", "cardNumber", "message"),
    constants=("n/a",),
    headers=("X-Payload",),
)

_IMPORTS = (
    "java.nio.charset.StandardCharsets",
    "java.security.GeneralSecurityException",
    "java.security.SecureRandom",
    "javax.crypto.Cipher",
    "javax.crypto.KeyGenerator",
    "javax.crypto.SecretKey",
)
_CATCH = "} catch (GeneralSecurityException $e) {\n    throw new IllegalStateException($e);\n}"
_SEAL = (
    "    byte[] $enc = $cipher.doFinal($value.getBytes(StandardCharsets.UTF_8));\n"
    '    $log.info("sealed " + $enc.length + " bytes");\n'
)


def _code(key_alg: str, transformation: str, iv_len: int | None, spec: str = "IvParameterSpec") -> str:
    lines = ["try {", f'    SecretKey $secret = KeyGenerator.getInstance("{key_alg}").generateKey();']
    if iv_len:
        lines += [f"    byte[] $iv = new byte[{iv_len}];", "    new SecureRandom().nextBytes($iv);"]
    lines.append(f'@@    Cipher $cipher = Cipher.getInstance("{transformation}");')
    if iv_len:
        arg = "new GCMParameterSpec(128, $iv)" if spec == "GCMParameterSpec" else f"new {spec}($iv)"
        lines.append(f"    $cipher.init(Cipher.ENCRYPT_MODE, $secret, {arg});")
    else:
        lines.append("    $cipher.init(Cipher.ENCRYPT_MODE, $secret);")
    return "\n".join(lines) + "\n" + _SEAL + _CATCH


_FIXES = (
    fix(
        id="aes-gcm",
        imports=("javax.crypto.spec.GCMParameterSpec",),
        code=_code("AES", "AES/GCM/NoPadding", 12, "GCMParameterSpec"),
    ),
    fix(
        id="chacha20-poly1305",
        imports=("javax.crypto.spec.IvParameterSpec",),
        code=_code("ChaCha20", "ChaCha20-Poly1305", 12),
    ),
    fix(
        id="aes-cbc-pkcs5",
        imports=("javax.crypto.spec.IvParameterSpec",),
        code=_code("AES", "AES/CBC/PKCS5Padding", 16),
    ),
)

for sink_id, key_alg, transformation, iv_len in (
    ("weak-cipher-des", "DES", "DES/CBC/PKCS5Padding", 8),
    ("weak-cipher-triple-des", "DESede", "DESede/CBC/PKCS5Padding", 8),
    ("weak-cipher-blowfish", "Blowfish", "Blowfish/CBC/PKCS5Padding", 8),
    ("weak-cipher-rc4", "RC4", "RC4", None),
    ("weak-cipher-aes-ecb", "AES", "AES/ECB/PKCS5Padding", None),
    ("weak-cipher-aes-default-mode", "AES", "AES", None),
):
    sink(
        id=sink_id,
        cwe=CWE,
        api=f"javax.crypto.Cipher.getInstance({transformation})",
        imports=_IMPORTS + (("javax.crypto.spec.IvParameterSpec",) if iv_len else ()),
        vulnerable=_code(key_alg, transformation, iv_len),
        fixes=_FIXES,
    )

_TLS = (
    "try {\n"
    '@@    SSLContext $tls = SSLContext.getInstance("PROTOCOL");\n'
    "    $tls.init(null, null, new SecureRandom());\n"
    '    $log.info("client ready for " + $value.length() + " byte payload over " + $tls.getProtocol());\n' + _CATCH
)
sink(
    id="weak-tls-protocol",
    cwe=CWE,
    api="javax.net.ssl.SSLContext.getInstance",
    imports=("java.security.GeneralSecurityException", "java.security.SecureRandom", "javax.net.ssl.SSLContext"),
    vulnerable=_TLS.replace("PROTOCOL", "TLSv1"),
    fixes=(
        fix(id="tls-1-3", code=_TLS.replace("PROTOCOL", "TLSv1.3")),
        fix(id="tls-1-2", code=_TLS.replace("PROTOCOL", "TLSv1.2")),
    ),
)

# The transformation named away from the call, as real code keeps it: a constant, a local, a method.
# Encryption without parameters lets the provider draw the IV or nonce (CBC, GCM, ChaCha20-Poly1305).
_NAMED = (
    "try {\n"
    "    SecretKey $secret = KeyGenerator.getInstance(KEYALG).generateKey();\n"
    "@@    Cipher $cipher = Cipher.getInstance(TRANSFORM);\n"
    "    $cipher.init(Cipher.ENCRYPT_MODE, $secret);\n" + _SEAL + _CATCH
)
_BASE_IMPORTS = _IMPORTS[:2] + _IMPORTS[3:]  # no SecureRandom: the provider draws the IV


def _fields(key_alg: str, transformation: str) -> str:
    return (
        f'private static final String $keyalg = "{key_alg}";\n'
        f'private static final String $transform = "{transformation}";'
    )


sink(
    id="weak-cipher-des-transformation-constant",
    cwe=CWE,
    api="javax.crypto.Cipher.getInstance(constant DES/CBC/PKCS5Padding)",
    imports=_BASE_IMPORTS,
    helper=_fields("DES", "DES/CBC/PKCS5Padding"),
    vulnerable=_NAMED.replace("KEYALG", "$keyalg").replace("TRANSFORM", "$transform"),
    fixes=tuple(
        fix(
            id=fix_id,
            helper=_fields(key_alg, transformation),
            code=_NAMED.replace("KEYALG", "$keyalg").replace("TRANSFORM", "$transform"),
        )
        for fix_id, key_alg, transformation in (
            ("aes-gcm-constant", "AES", "AES/GCM/NoPadding"),
            ("aes-cbc-constant", "AES", "AES/CBC/PKCS5Padding"),
        )
    ),
)


def _locals(key_alg: str, transformation: str) -> str:
    return f'String $alg = "{transformation}";\n' + _NAMED.replace("KEYALG", f'"{key_alg}"').replace(
        "TRANSFORM", "$alg"
    )


sink(
    id="weak-cipher-ecb-transformation-local",
    cwe=CWE,
    api="javax.crypto.Cipher.getInstance(local AES/ECB/PKCS5Padding)",
    imports=_BASE_IMPORTS,
    vulnerable=_locals("AES", "AES/ECB/PKCS5Padding"),
    fixes=(
        fix(id="aes-gcm-local", code=_locals("AES", "AES/GCM/NoPadding")),
        fix(id="chacha20-poly1305-local", code=_locals("ChaCha20", "ChaCha20-Poly1305")),
    ),
)


def _method(transformation: str) -> str:
    return f'private static String $transformfn() {{\n    return "{transformation}";\n}}'


# Plain "AES" means the provider's default mode and padding, AES/ECB/PKCS5Padding.
sink(
    id="weak-cipher-default-aes-helper-method",
    cwe=CWE,
    api="javax.crypto.Cipher.getInstance(helper returning AES)",
    imports=_BASE_IMPORTS,
    helper=_method("AES"),
    vulnerable=_NAMED.replace("KEYALG", '"AES"').replace("TRANSFORM", "$transformfn()"),
    fixes=tuple(
        fix(
            id=fix_id,
            helper=_method(transformation),
            code=_NAMED.replace("KEYALG", '"AES"').replace("TRANSFORM", "$transformfn()"),
        )
        for fix_id, transformation in (
            ("aes-gcm-method", "AES/GCM/NoPadding"),
            ("aes-cbc-method", "AES/CBC/PKCS5Padding"),
        )
    ),
)

sink(
    id="weak-cipher-rc4-transformation-constant",
    cwe=CWE,
    api="javax.crypto.Cipher.getInstance(constant RC4)",
    imports=_BASE_IMPORTS,
    helper=_fields("RC4", "RC4"),
    vulnerable=_NAMED.replace("KEYALG", "$keyalg").replace("TRANSFORM", "$transform"),
    fixes=(
        fix(
            id="chacha20-poly1305-constant",
            helper=_fields("ChaCha20", "ChaCha20-Poly1305"),
            code=_NAMED.replace("KEYALG", "$keyalg").replace("TRANSFORM", "$transform"),
        ),
        fix(
            id="aes-gcm-constant",
            helper=_fields("AES", "AES/GCM/NoPadding"),
            code=_NAMED.replace("KEYALG", "$keyalg").replace("TRANSFORM", "$transform"),
        ),
    ),
)
