"""CWE-327 broken or risky cryptography: DES, 3DES, RC4, Blowfish, ECB mode, old TLS."""

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
