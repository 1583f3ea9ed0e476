"""CWE-328 weak hash: MD5 / SHA-1 / MD2 used to store passwords."""

from vulntune.synth.java.sinks.common import fix, sink, vocabulary

CWE = "CWE-328"
VOCABULARY = vocabulary(
    cwe=CWE, params=("password", "pin", "passphrase", "pwd"), constants=("changeit",), headers=("X-Password",)
)

_STORE = "private final Map<String, byte[]> $store = new ConcurrentHashMap<>();"
_IMPORTS = (
    "java.nio.charset.StandardCharsets",
    "java.security.GeneralSecurityException",
    "java.security.SecureRandom",
    "java.util.Map",
    "java.util.concurrent.ConcurrentHashMap",
)
_CATCH = "} catch (GeneralSecurityException $e) {\n    throw new IllegalStateException($e);\n}"
_SALT = "    byte[] $salt = new byte[16];\n    new SecureRandom().nextBytes($salt);\n"
_SAVE = '    $store.put("$entity", $hash);\n'


def _digest(alg: str, salted: bool = True) -> str:
    return (
        "try {\n"
        + (_SALT if salted else "")
        + f'@@    MessageDigest $md = MessageDigest.getInstance("{alg}");\n'
        + ("    $md.update($salt);\n" if salted else "")
        + "    byte[] $hash = $md.digest($value.getBytes(StandardCharsets.UTF_8));\n"
        + _SAVE
        + _CATCH
    )


_PBKDF2 = (
    "try {\n"
    + _SALT
    + '@@    SecretKeyFactory $md = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");\n'
    + "    byte[] $hash = $md.generateSecret(new PBEKeySpec($value.toCharArray(), $salt, 210000, 256)).getEncoded();\n"
    + _SAVE
    + _CATCH
)
_FIXES = (
    fix(id="sha-256-salted", code=_digest("SHA-256")),
    fix(id="pbkdf2", imports=("javax.crypto.SecretKeyFactory", "javax.crypto.spec.PBEKeySpec"), code=_PBKDF2),
)

for sink_id, alg, salted in (
    ("weak-hash-md5-password", "MD5", True),
    ("weak-hash-sha1-password", "SHA-1", True),
    ("weak-hash-md5-unsalted", "MD5", False),
    ("weak-hash-md2-password", "MD2", True),
):
    sink(
        id=sink_id,
        cwe=CWE,
        api=f"java.security.MessageDigest.getInstance({alg})",
        prelude=_STORE,
        imports=_IMPORTS + ("java.security.MessageDigest",),
        vulnerable=_digest(alg, salted),
        fixes=_FIXES,
    )

_CODEC = (
    "String $salt = UUID.randomUUID().toString();\n"
    "@@String $hash = DigestUtils.FUNC($salt + $value);\n"
    '$store.put("$entity", ($salt + ":" + $hash).getBytes(StandardCharsets.UTF_8));'
)
for sink_id, func in (("weak-hash-digest-utils-md5", "md5Hex"), ("weak-hash-digest-utils-sha1", "sha1Hex")):
    sink(
        id=sink_id,
        cwe=CWE,
        api=f"org.apache.commons.codec.digest.DigestUtils.{func}",
        prelude=_STORE,
        imports=(
            "java.nio.charset.StandardCharsets",
            "java.util.Map",
            "java.util.UUID",
            "java.util.concurrent.ConcurrentHashMap",
            "org.apache.commons.codec.digest.DigestUtils",
        ),
        vulnerable=_CODEC.replace("FUNC", func),
        fixes=(fix(id="sha-256-salted", code=_CODEC.replace("FUNC", "sha256Hex")),),
    )
