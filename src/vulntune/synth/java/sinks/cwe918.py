"""CWE-918 SSRF: the server fetches a URL taken from the request (URL, HttpClient, RestTemplate)."""

from vulntune.synth.java.sinks.common import fix, sink, vocabulary
from vulntune.synth.template import Fix

CWE = "CWE-918"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("url", "endpoint", "callback", "feed", "webhook", "host"),
    constants=("https://status.example.com/health", "https://api.example.com/v1/ping", "http://localhost:8080/metrics"),
    affixes=(("https://", "/status"), ("http://", "/api/health"), ("https://", "")),
    headers=("X-Callback-Url", "X-Forwarded-Host"),
    uuid_ok=False,
)

_HOSTS = 'private static final Set<String> $hosts = Set.of("api.example.com", "status.example.com");'
_IMPORTS = ("java.util.Set",)
_URL_CHECK = 'if (!$hosts.contains($url.getHost())) {\n    throw new IllegalArgumentException("host not allowed");\n}\n'
_URL_HTTPS = (
    'if (!"https".equals($url.getProtocol()) || !$hosts.contains($url.getHost())) {\n'
    '    throw new IllegalArgumentException("host not allowed");\n'
    "}\n"
)
_URI_CHECK = _URL_CHECK.replace("$url", "$uri")
_URI_HTTPS = (
    'if (!"https".equals($uri.getScheme()) || !$hosts.contains($uri.getHost())) {\n'
    '    throw new IllegalArgumentException("host not allowed");\n'
    "}\n"
)


def _fixes(head: str, rest: str, host: str, https: str) -> tuple[Fix, ...]:
    return (
        fix(id="host-allow-list", code=head + host + rest),
        fix(id="https-host-allow-list", code=head + https + rest),
    )


_URL = "URL $url = new URL($value);\n"
_STREAM = (
    "@@try (InputStream $fin = $url.openStream()) {\n"
    '    $log.info("fetched " + $fin.readAllBytes().length + " bytes");\n'
    "}"
)
sink(
    id="ssrf-url-open-stream",
    cwe=CWE,
    api="java.net.URL.openStream",
    prelude=_HOSTS,
    imports=_IMPORTS + ("java.io.InputStream", "java.net.URL"),
    vulnerable=_URL + _STREAM,
    fixes=_fixes(_URL, _STREAM, _URL_CHECK, _URL_HTTPS),
)

_CONN = (
    "@@HttpURLConnection $hc = (HttpURLConnection) $url.openConnection();\n"
    "$hc.setConnectTimeout(5000);\n"
    '$log.info("status " + $hc.getResponseCode());'
)
sink(
    id="ssrf-url-open-connection",
    cwe=CWE,
    api="java.net.URL.openConnection",
    prelude=_HOSTS,
    imports=_IMPORTS + ("java.net.HttpURLConnection", "java.net.URL"),
    vulnerable=_URL + _CONN,
    fixes=_fixes(_URL, _CONN, _URL_CHECK, _URL_HTTPS),
)

_URI = "URI $uri = URI.create($value);\n"
_SEND = (
    "HttpRequest $req = HttpRequest.newBuilder($uri).GET().build();\n"
    "try {\n"
    "@@    HttpResponse<String> $resp = $http.send($req, HttpResponse.BodyHandlers.ofString());\n"
    '    $log.info("status " + $resp.statusCode());\n'
    "} catch (InterruptedException $e) {\n"
    "    Thread.currentThread().interrupt();\n"
    "}"
)
sink(
    id="ssrf-http-client-send",
    cwe=CWE,
    api="java.net.http.HttpClient.send",
    prelude=_HOSTS + "\nprivate final HttpClient $http = HttpClient.newHttpClient();",
    imports=_IMPORTS
    + ("java.net.URI", "java.net.http.HttpClient", "java.net.http.HttpRequest", "java.net.http.HttpResponse"),
    vulnerable=_URI + _SEND,
    fixes=_fixes(_URI, _SEND, _URI_CHECK, _URI_HTTPS),
)

_REST = (
    "@@String $body = $rest.getForObject($uri, String.class);\n"
    '$log.info("received " + ($body == null ? 0 : $body.length()) + " chars");'
)
sink(
    id="ssrf-rest-template-get-for-object",
    cwe=CWE,
    api="org.springframework.web.client.RestTemplate.getForObject",
    prelude=_HOSTS + "\nprivate final RestTemplate $rest = new RestTemplate();",
    imports=_IMPORTS + ("java.net.URI", "org.springframework.web.client.RestTemplate"),
    vulnerable=_URI + _REST,
    fixes=_fixes(_URI, _REST, _URI_CHECK, _URI_HTTPS),
)

_FORMAT = (
    '@@String $body = $rest.getForObject($value + "/v1/status", String.class);\n'
    '$log.info("received " + ($body == null ? 0 : $body.length()) + " chars");'
)
sink(
    id="ssrf-rest-template-string-url",
    cwe=CWE,
    api="RestTemplate.getForObject(String)",
    prelude=_HOSTS + "\nprivate final RestTemplate $rest = new RestTemplate();",
    imports=_IMPORTS + ("java.net.URI", "org.springframework.web.client.RestTemplate"),
    vulnerable=_URI + _FORMAT,
    fixes=_fixes(_URI, _FORMAT, _URI_CHECK, _URI_HTTPS),
)
