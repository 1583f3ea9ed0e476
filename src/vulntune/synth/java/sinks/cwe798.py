"""CWE-798 hard-coded credentials: passwords, keys and API tokens written into the source, directly or
behind a getter or a field; the fixes read them from the environment, a properties file, a key
store or Spring configuration."""

from vulntune.synth.java.sinks.common import fix, sink, vocabulary

CWE = "CWE-798"
VOCABULARY = vocabulary(
    cwe=CWE, params=("account", "user", "customer", "lookup"), constants=("system",), headers=("X-Account",)
)

_DB = (
    '@@try (Connection $conn = DriverManager.getConnection($dburl, "app", SECRET);\n'
    '        PreparedStatement $stmt = $conn.prepareStatement("SELECT id FROM $table WHERE $column = ?")) {\n'
    "    $stmt.setString(1, $value);\n"
    "    $stmt.executeQuery();\n"
    "} catch (SQLException $e) {\n"
    "    throw new IllegalStateException($e);\n"
    "}"
)
sink(
    id="hardcoded-password-driver-manager",
    cwe=CWE,
    api="java.sql.DriverManager.getConnection",
    prelude='private static final String $dburl = "jdbc:postgresql://db.internal:5432/$table";',
    imports=("java.sql.Connection", "java.sql.DriverManager", "java.sql.PreparedStatement", "java.sql.SQLException"),
    vulnerable=_DB.replace("SECRET", '"$secretpw"'),
    fixes=(
        fix(id="password-from-env", code=_DB.replace("SECRET", 'System.getenv("DB_PASSWORD")')),
        fix(id="password-from-system-property", code=_DB.replace("SECRET", 'System.getProperty("db.password")')),
    ),
)

_KEY = (
    "try {\n"
    '@@    SecretKeySpec $secret = new SecretKeySpec(KEY, "AES");\n'
    "    byte[] $iv = new byte[12];\n"
    "    new SecureRandom().nextBytes($iv);\n"
    '    Cipher $cipher = Cipher.getInstance("AES/GCM/NoPadding");\n'
    "    $cipher.init(Cipher.ENCRYPT_MODE, $secret, new GCMParameterSpec(128, $iv));\n"
    "    byte[] $enc = $cipher.doFinal($value.getBytes(StandardCharsets.UTF_8));\n"
    '    $log.info("sealed " + $enc.length + " bytes");\n'
    "} catch (GeneralSecurityException $e) {\n"
    "    throw new IllegalStateException($e);\n"
    "}"
)
sink(
    id="hardcoded-key-secret-key-spec",
    cwe=CWE,
    api="javax.crypto.spec.SecretKeySpec",
    imports=(
        "java.nio.charset.StandardCharsets",
        "java.security.GeneralSecurityException",
        "java.security.SecureRandom",
        "java.util.Base64",
        "javax.crypto.Cipher",
        "javax.crypto.spec.GCMParameterSpec",
        "javax.crypto.spec.SecretKeySpec",
    ),
    vulnerable=_KEY.replace("KEY", '"$secretkey".getBytes(StandardCharsets.UTF_8)'),
    fixes=(fix(id="key-from-env", code=_KEY.replace("KEY", 'Base64.getDecoder().decode(System.getenv("APP_KEY"))')),),
)

_TOKEN = (
    'HttpRequest $req = HttpRequest.newBuilder(URI.create("https://api.example.com/v1/$table?q="\n'
    "                + URLEncoder.encode($value, StandardCharsets.UTF_8)))\n"
    '@@        .header("Authorization", TOKEN)\n'
    "        .build();\n"
    "try {\n"
    '    $log.info("status " + $http.send($req, HttpResponse.BodyHandlers.ofString()).statusCode());\n'
    "} catch (InterruptedException $e) {\n"
    "    Thread.currentThread().interrupt();\n"
    "}"
)
sink(
    id="hardcoded-api-token",
    cwe=CWE,
    api="java.net.http.HttpRequest.Builder.header(Authorization)",
    prelude="private final HttpClient $http = HttpClient.newHttpClient();",
    imports=(
        "java.net.URI",
        "java.net.URLEncoder",
        "java.net.http.HttpClient",
        "java.net.http.HttpRequest",
        "java.net.http.HttpResponse",
        "java.nio.charset.StandardCharsets",
    ),
    vulnerable=_TOKEN.replace("TOKEN", '"Bearer $apitoken"'),
    fixes=(fix(id="token-from-env", code=_TOKEN.replace("TOKEN", '"Bearer " + System.getenv("API_TOKEN")')),),
)

_AUTH = (
    "Authenticator.setDefault(new Authenticator() {\n"
    "    @Override\n"
    "    protected PasswordAuthentication getPasswordAuthentication() {\n"
    '@@        return new PasswordAuthentication("svc-$entity", SECRET);\n'
    "    }\n"
    "});\n"
    '$log.info("proxy auth ready for " + $value.length() + " chars");'
)
sink(
    id="hardcoded-password-authenticator",
    cwe=CWE,
    api="java.net.PasswordAuthentication",
    imports=("java.net.Authenticator", "java.net.PasswordAuthentication"),
    vulnerable=_AUTH.replace("SECRET", '"$secretpw".toCharArray()'),
    fixes=(fix(id="password-from-env", code=_AUTH.replace("SECRET", 'System.getenv("PROXY_PASSWORD").toCharArray()')),),
)

_LDAP = (
    "Hashtable<String, String> $env = new Hashtable<>();\n"
    '$env.put(Context.PROVIDER_URL, "ldap://ldap.example.com:389");\n'
    '$env.put(Context.SECURITY_PRINCIPAL, "cn=svc,dc=example,dc=com");\n'
    "@@$env.put(Context.SECURITY_CREDENTIALS, SECRET);\n"
    "try {\n"
    "    new InitialDirContext($env).close();\n"
    '    $log.info("bound for " + $value.length() + " chars");\n'
    "} catch (NamingException $e) {\n"
    "    throw new IllegalStateException($e);\n"
    "}"
)
sink(
    id="hardcoded-ldap-credentials",
    cwe=CWE,
    api="javax.naming.Context.SECURITY_CREDENTIALS",
    imports=(
        "java.util.Hashtable",
        "javax.naming.Context",
        "javax.naming.NamingException",
        "javax.naming.directory.InitialDirContext",
    ),
    vulnerable=_LDAP.replace("SECRET", '"$secretpw"'),
    fixes=(fix(id="password-from-env", code=_LDAP.replace("SECRET", 'System.getenv("LDAP_PASSWORD")')),),
)

# The credential behind a getter, a field or an injected value: the call site is the same in both
# twins, only where the value comes from differs (a literal, a properties file, the environment, a
# key store, Spring configuration).
_PROPERTIES_IMPORTS = ("java.io.InputStream", "java.nio.file.Files", "java.nio.file.Path", "java.util.Properties")
sink(
    id="hardcoded-password-getter-driver-manager",
    cwe=CWE,
    api="java.sql.DriverManager.getConnection(password getter)",
    prelude='private static final String $dburl = "jdbc:postgresql://db.internal:5432/$table";',
    imports=("java.sql.Connection", "java.sql.DriverManager", "java.sql.PreparedStatement", "java.sql.SQLException"),
    helper='private String $secretfn() {\n    return "$secretpw";\n}',
    vulnerable=_DB.replace("SECRET", "$secretfn()"),
    fixes=(
        fix(
            id="password-from-properties-file",
            imports=_PROPERTIES_IMPORTS,
            helper="private String $secretfn() throws IOException {\n"
            "    Properties $props = new Properties();\n"
            '    try (InputStream $fin = Files.newInputStream(Path.of("/etc/app/db.properties"))) {\n'
            "        $props.load($fin);\n"
            "    }\n"
            '    return $props.getProperty("db.password");\n'
            "}",
            code=_DB.replace("SECRET", "$secretfn()"),
        ),
        fix(
            id="password-from-required-env",
            helper="private String $secretfn() {\n"
            '    String $pw = System.getenv("DB_PASSWORD");\n'
            "    if ($pw == null || $pw.isEmpty()) {\n"
            '        throw new IllegalStateException("DB_PASSWORD is not set");\n'
            "    }\n"
            "    return $pw;\n"
            "}",
            code=_DB.replace("SECRET", "$secretfn()"),
        ),
    ),
)

sink(
    id="hardcoded-key-bytes-method-secret-key-spec",
    cwe=CWE,
    api="javax.crypto.spec.SecretKeySpec(key getter)",
    imports=(
        "java.nio.charset.StandardCharsets",
        "java.security.GeneralSecurityException",
        "java.security.SecureRandom",
        "javax.crypto.Cipher",
        "javax.crypto.spec.GCMParameterSpec",
        "javax.crypto.spec.SecretKeySpec",
    ),
    helper='private byte[] $keyfn() {\n    return "$secretkey".getBytes(StandardCharsets.UTF_8);\n}',
    vulnerable=_KEY.replace("KEY", "$keyfn()"),
    fixes=(
        fix(
            id="key-from-key-store",
            imports=("java.io.InputStream", "java.nio.file.Files", "java.nio.file.Path", "java.security.KeyStore"),
            helper="private byte[] $keyfn() throws IOException, GeneralSecurityException {\n"
            '    KeyStore $ks = KeyStore.getInstance("PKCS12");\n'
            '    try (InputStream $fin = Files.newInputStream(Path.of("/etc/app/keys.p12"))) {\n'
            '        $ks.load($fin, System.getenv("KEYSTORE_PASSWORD").toCharArray());\n'
            "    }\n"
            '    return $ks.getKey("data-key", System.getenv("KEY_PASSWORD").toCharArray()).getEncoded();\n'
            "}",
            code=_KEY.replace("KEY", "$keyfn()"),
        ),
        fix(
            id="key-from-env-base64",
            imports=("java.util.Base64",),
            helper='private byte[] $keyfn() {\n    return Base64.getDecoder().decode(System.getenv("APP_KEY"));\n}',
            code=_KEY.replace("KEY", "$keyfn()"),
        ),
    ),
)

_TOKEN_IMPORTS = (
    "java.net.URI",
    "java.net.URLEncoder",
    "java.net.http.HttpClient",
    "java.net.http.HttpRequest",
    "java.net.http.HttpResponse",
    "java.nio.charset.StandardCharsets",
)
sink(
    id="hardcoded-api-token-field",
    cwe=CWE,
    api="java.net.http.HttpRequest.Builder.header(Authorization, token field)",
    frameworks=("spring",),
    prelude="private final HttpClient $http = HttpClient.newHttpClient();",
    imports=_TOKEN_IMPORTS,
    helper='private final String $tokenfield = "$apitoken";',
    vulnerable=_TOKEN.replace("TOKEN", '"Bearer " + $tokenfield'),
    fixes=(
        fix(
            id="token-from-value-annotation",
            imports=("org.springframework.beans.factory.annotation.Value",),
            helper='@Value("$${api.token}")\nprivate String $tokenfield;',
            code=_TOKEN.replace("TOKEN", '"Bearer " + $tokenfield'),
        ),
        fix(
            id="token-from-spring-environment",
            imports=("org.springframework.core.env.Environment",),
            helper="$inject\nprivate Environment $springenv;",
            code=_TOKEN.replace("TOKEN", '"Bearer " + $springenv.getRequiredProperty("api.token")'),
        ),
    ),
)
