"""CWE-798 hard-coded credentials: passwords, keys and API tokens written into the source."""

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
