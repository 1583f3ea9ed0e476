"""Java sources of untrusted data: Servlet, Spring MVC, JAX-RS, command line, environment, files,
sockets.

`str` sources bind `String $var`; `bytes` sources bind `InputStream $var` (a request body,
file or socket stream), which is what the CWE-502/611 sinks read.

Placeholders besides the shared ones (see render.py): `$verb` (Get/Post), `$sub` (sub-route),
`$header` (an HTTP header name), `$PARAM` (environment variable name), `$rtype`/`$ok` (the
handler's return type and default return value), `$throws` (the handler's throws clause).
"""

from __future__ import annotations

from vulntune.synth.template import REGISTRY, Source

_SERVLET = (
    "javax.servlet.ServletException",
    "javax.servlet.http.HttpServletRequest",
    "javax.servlet.http.HttpServletResponse",
    "java.io.IOException",
)
_SERVLET_HEADER = (
    "@Override\n"
    "protected void do$verb(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException"
)
_SPRING_GET = '@GetMapping("$sub")\npublic $rtype $handler('
_SPRING_POST = '@PostMapping("$sub")\npublic $rtype $handler('
_JAXRS_GET = '@GET\n@Path("$sub")\npublic $rtype $handler('
_JAXRS_POST = '@POST\n@Path("$sub")\npublic $rtype $handler('
_SPRING_TAIL = "return $ok;"
_CLI_MAIN = "public static void main(String[] args) throws Exception {\n    new $cls().$handler(args);\n}"


def _servlet(id: str, read: str, *, imports: tuple[str, ...] = (), value_kind: str = "str") -> Source:
    return Source(
        id=id,
        language="java",
        framework="servlet",
        header=_SERVLET_HEADER,
        read=read,
        imports=_SERVLET + imports,
        value_kind=value_kind,
    )


def _spring(
    id: str,
    head: str,
    param: str,
    annotation: str,
    *,
    read: str = "",
    imports: tuple[str, ...] = (),
    value_kind: str = "str",
) -> Source:
    return Source(
        id=id,
        language="java",
        framework="spring",
        header=head + param + ")$throws",
        read=read,
        imports=(annotation, "java.io.IOException") + imports,
        tail=_SPRING_TAIL,
        value_kind=value_kind,
    )


def _jaxrs(
    id: str, head: str, param: str, annotations: tuple[str, ...], *, read: str = "", value_kind: str = "str"
) -> Source:
    return Source(
        id=id,
        language="java",
        framework="jaxrs",
        header=head + param + ")$throws",
        read=read,
        imports=annotations + ("javax.ws.rs.Path", "java.io.IOException"),
        tail=_SPRING_TAIL,
        value_kind=value_kind,
    )


SOURCES = (
    # ---- Servlet
    _servlet("servlet-get-parameter", 'String $var = request.getParameter("$param");'),
    _servlet(
        "servlet-get-parameter-values",
        'String[] $vals = request.getParameterValues("$param");\n'
        'String $var = $vals != null && $vals.length > 0 ? $vals[0] : "";',
    ),
    _servlet("servlet-get-header", 'String $var = request.getHeader("$header");'),
    _servlet(
        "servlet-cookies",
        'String $var = "";\n'
        "Cookie[] cookies = request.getCookies();\n"
        "if (cookies != null) {\n"
        "    for (Cookie $ck : cookies) {\n"
        '        if ("$param".equals($ck.getName())) {\n'
        "            $var = $ck.getValue();\n"
        "        }\n"
        "    }\n"
        "}",
        imports=("javax.servlet.http.Cookie",),
    ),
    _servlet("servlet-query-string", "String $var = request.getQueryString();"),
    _servlet(
        "servlet-path-info",
        "String $var = request.getPathInfo();\n"
        'if ($var != null && $var.startsWith("/")) {\n'
        "    $var = $var.substring(1);\n"
        "}",
    ),
    _servlet(
        "servlet-reader",
        'BufferedReader $rd = request.getReader();\nString $var = $rd.lines().collect(Collectors.joining("\\n"));',
        imports=("java.io.BufferedReader", "java.util.stream.Collectors"),
    ),
    _servlet(
        "servlet-query-string-split",
        'String $var = "";\n'
        "String $qstr = request.getQueryString();\n"
        "if ($qstr != null) {\n"
        '    for (String $pair : $qstr.split("&")) {\n'
        '        String[] $kv = $pair.split("=", 2);\n'
        '        if ($kv.length == 2 && "$param".equals($kv[0])) {\n'
        "            $var = URLDecoder.decode($kv[1], StandardCharsets.UTF_8);\n"
        "        }\n"
        "    }\n"
        "}",
        imports=("java.net.URLDecoder", "java.nio.charset.StandardCharsets"),
    ),
    _servlet(
        "servlet-header-names",
        'String $var = "";\n'
        "Enumeration<String> $hnames = request.getHeaderNames();\n"
        "while ($hnames.hasMoreElements()) {\n"
        "    String $hname = $hnames.nextElement();\n"
        '    if ($hname.equalsIgnoreCase("$header")) {\n'
        "        $var = request.getHeader($hname);\n"
        "    }\n"
        "}",
        imports=("java.util.Enumeration",),
    ),
    _servlet(
        "servlet-input-stream",
        "InputStream $var = request.getInputStream();",
        imports=("java.io.InputStream",),
        value_kind="bytes",
    ),
    # ---- Spring MVC
    _spring(
        "spring-request-param",
        _SPRING_GET,
        '@RequestParam("$param") String $var',
        "org.springframework.web.bind.annotation.RequestParam",
        imports=("org.springframework.web.bind.annotation.GetMapping",),
    ),
    _spring(
        "spring-request-param-map",
        _SPRING_GET,
        "@RequestParam Map<String, String> $pmap",
        "org.springframework.web.bind.annotation.RequestParam",
        read='String $var = $pmap.getOrDefault("$param", "");',
        imports=("org.springframework.web.bind.annotation.GetMapping", "java.util.Map"),
    ),
    Source(
        id="spring-path-variable",
        language="java",
        framework="spring",
        header='@GetMapping("$sub/{$param}")\npublic $rtype $handler(@PathVariable("$param") String $var)$throws',
        read="",
        tail=_SPRING_TAIL,
        imports=(
            "org.springframework.web.bind.annotation.GetMapping",
            "org.springframework.web.bind.annotation.PathVariable",
            "java.io.IOException",
        ),
    ),
    _spring(
        "spring-request-body",
        _SPRING_POST,
        "@RequestBody String $var",
        "org.springframework.web.bind.annotation.RequestBody",
        imports=("org.springframework.web.bind.annotation.PostMapping",),
    ),
    _spring(
        "spring-request-header",
        _SPRING_GET,
        '@RequestHeader("$header") String $var',
        "org.springframework.web.bind.annotation.RequestHeader",
        imports=("org.springframework.web.bind.annotation.GetMapping",),
    ),
    _spring(
        "spring-cookie-value",
        _SPRING_GET,
        '@CookieValue(value = "$param", defaultValue = "") String $var',
        "org.springframework.web.bind.annotation.CookieValue",
        imports=("org.springframework.web.bind.annotation.GetMapping",),
    ),
    _spring(
        "spring-request-body-bytes",
        _SPRING_POST,
        "@RequestBody byte[] $raw",
        "org.springframework.web.bind.annotation.RequestBody",
        read="InputStream $var = new ByteArrayInputStream($raw);",
        imports=(
            "org.springframework.web.bind.annotation.PostMapping",
            "java.io.ByteArrayInputStream",
            "java.io.InputStream",
        ),
        value_kind="bytes",
    ),
    # ---- JAX-RS
    _jaxrs(
        "jaxrs-query-param",
        _JAXRS_GET,
        '@QueryParam("$param") String $var',
        ("javax.ws.rs.GET", "javax.ws.rs.QueryParam"),
    ),
    Source(
        id="jaxrs-path-param",
        language="java",
        framework="jaxrs",
        header='@GET\n@Path("$sub/{$param}")\npublic $rtype $handler(@PathParam("$param") String $var)$throws',
        read="",
        tail=_SPRING_TAIL,
        imports=("javax.ws.rs.GET", "javax.ws.rs.Path", "javax.ws.rs.PathParam", "java.io.IOException"),
    ),
    _jaxrs(
        "jaxrs-header-param",
        _JAXRS_GET,
        '@HeaderParam("$header") String $var',
        ("javax.ws.rs.GET", "javax.ws.rs.HeaderParam"),
    ),
    _jaxrs(
        "jaxrs-form-param",
        _JAXRS_POST,
        '@FormParam("$param") String $var',
        ("javax.ws.rs.POST", "javax.ws.rs.FormParam"),
    ),
    _jaxrs(
        "jaxrs-cookie-param",
        _JAXRS_GET,
        '@CookieParam("$param") String $var',
        ("javax.ws.rs.GET", "javax.ws.rs.CookieParam"),
    ),
    _jaxrs(
        "jaxrs-entity-stream",
        _JAXRS_POST,
        "InputStream $var",
        ("javax.ws.rs.POST", "java.io.InputStream"),
        value_kind="bytes",
    ),
    # ---- library code: the value is an argument of a method whose callers the file does not show
    Source(
        id="lib-method-parameter",
        language="java",
        framework="stdlib",
        header="public void $handler(String $var)$throws",
        read="",
        imports=("java.io.IOException",),
    ),
    Source(
        id="lib-method-parameter-flag",
        language="java",
        framework="stdlib",
        header="void $handler(String $var, boolean force)$throws",
        read="",
        imports=("java.io.IOException",),
    ),
    # ---- command line
    Source(
        id="cli-args",
        language="java",
        framework="cli",
        prelude=_CLI_MAIN,
        header="void $handler(String[] args)$throws",
        read='String $var = args.length > 0 ? args[0] : "";',
        imports=("java.io.IOException",),
    ),
    Source(
        id="cli-args-option",
        language="java",
        framework="cli",
        prelude=_CLI_MAIN,
        header="void $handler(String[] args)$throws",
        read='String $var = "";\n'
        "for (String arg : args) {\n"
        '    if (arg.startsWith("--$param=")) {\n'
        '        $var = arg.substring("--$param=".length());\n'
        "    }\n"
        "}",
        imports=("java.io.IOException",),
    ),
    Source(
        id="cli-stdin-reader",
        language="java",
        framework="cli",
        prelude=_CLI_MAIN,
        header="void $handler(String[] args)$throws",
        read="BufferedReader $rd = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));\n"
        "String $var = $rd.readLine();",
        imports=(
            "java.io.BufferedReader",
            "java.io.InputStreamReader",
            "java.nio.charset.StandardCharsets",
            "java.io.IOException",
        ),
    ),
    Source(
        id="cli-file-stream",
        language="java",
        framework="cli",
        prelude=_CLI_MAIN,
        header="void $handler(String[] args)$throws",
        read="InputStream $var = new FileInputStream(args[0]);",
        imports=("java.io.FileInputStream", "java.io.InputStream", "java.io.IOException"),
        value_kind="bytes",
    ),
    Source(
        id="cli-stdin-stream",
        language="java",
        framework="cli",
        prelude=_CLI_MAIN,
        header="void $handler(String[] args)$throws",
        read="InputStream $var = System.in;",
        imports=("java.io.InputStream", "java.io.IOException"),
        value_kind="bytes",
    ),
    # ---- environment, files, sockets
    Source(
        id="env-variable",
        language="java",
        framework="stdlib",
        header="public void $handler()$throws",
        read='String $var = System.getenv("$PARAM");',
        imports=("java.io.IOException",),
    ),
    Source(
        id="file-reader-line",
        language="java",
        framework="stdlib",
        header="public void $handler(Path $src)$throws",
        read="String $var;\n"
        "try (BufferedReader $rd = Files.newBufferedReader($src, StandardCharsets.UTF_8)) {\n"
        "    $var = $rd.readLine();\n"
        "}",
        imports=(
            "java.io.BufferedReader",
            "java.nio.file.Files",
            "java.nio.file.Path",
            "java.nio.charset.StandardCharsets",
            "java.io.IOException",
        ),
    ),
    Source(
        id="socket-reader-line",
        language="java",
        framework="stdlib",
        header="public void $handler(Socket $sock)$throws",
        read="BufferedReader $rd = new BufferedReader(new InputStreamReader($sock.getInputStream(), "
        "StandardCharsets.UTF_8));\n"
        "String $var = $rd.readLine();",
        imports=(
            "java.io.BufferedReader",
            "java.io.InputStreamReader",
            "java.net.Socket",
            "java.nio.charset.StandardCharsets",
            "java.io.IOException",
        ),
    ),
    Source(
        id="properties-file",
        language="java",
        framework="stdlib",
        header="public void $handler(Path $src)$throws",
        read="Properties $props = new Properties();\n"
        "try (InputStream $fin = Files.newInputStream($src)) {\n"
        "    $props.load($fin);\n"
        "}\n"
        'String $var = $props.getProperty("$param", "");',
        imports=(
            "java.io.InputStream",
            "java.nio.file.Files",
            "java.nio.file.Path",
            "java.util.Properties",
            "java.io.IOException",
        ),
    ),
    Source(
        id="system-property",
        language="java",
        framework="stdlib",
        header="public void $handler()$throws",
        read='String $var = System.getProperty("app.$param", "");',
        imports=("java.io.IOException",),
    ),
    Source(
        id="system-properties-object",
        language="java",
        framework="stdlib",
        header="public void $handler()$throws",
        read='Properties $props = System.getProperties();\nString $var = $props.getProperty("app.$param", "");',
        imports=("java.util.Properties", "java.io.IOException"),
    ),
    Source(
        id="url-connection-line",
        language="java",
        framework="stdlib",
        header="public void $handler(URL $feed)$throws",
        read="String $var;\n"
        "URLConnection $fconn = $feed.openConnection();\n"
        "try (BufferedReader $frd = new BufferedReader(new InputStreamReader($fconn.getInputStream(), "
        "StandardCharsets.UTF_8))) {\n"
        "    $var = $frd.readLine();\n"
        "}",
        imports=(
            "java.io.BufferedReader",
            "java.io.InputStreamReader",
            "java.net.URL",
            "java.net.URLConnection",
            "java.nio.charset.StandardCharsets",
            "java.io.IOException",
        ),
    ),
    Source(
        id="url-connection-stream",
        language="java",
        framework="stdlib",
        header="public void $handler(URL $feed)$throws",
        read="URLConnection $fconn = $feed.openConnection();\nInputStream $var = $fconn.getInputStream();",
        imports=("java.io.InputStream", "java.net.URL", "java.net.URLConnection", "java.io.IOException"),
        value_kind="bytes",
    ),
    Source(
        id="jdbc-result-set",
        language="java",
        framework="stdlib",
        header="public void $handler(Connection $srcconn)$throws",
        read='String $var = "";\n'
        'try (PreparedStatement $srcst = $srcconn.prepareStatement("SELECT $param FROM profiles WHERE id = ?")) {\n'
        "    $srcst.setLong(1, 1L);\n"
        "    try (ResultSet $srcrs = $srcst.executeQuery()) {\n"
        "        if ($srcrs.next()) {\n"
        "            $var = $srcrs.getString(1);\n"
        "        }\n"
        "    }\n"
        "} catch (SQLException $srcex) {\n"
        "    throw new IOException($srcex);\n"
        "}",
        imports=(
            "java.sql.Connection",
            "java.sql.PreparedStatement",
            "java.sql.ResultSet",
            "java.sql.SQLException",
            "java.io.IOException",
        ),
    ),
    Source(
        id="socket-stream",
        language="java",
        framework="stdlib",
        header="public void $handler(Socket $sock)$throws",
        read="InputStream $var = $sock.getInputStream();",
        imports=("java.io.InputStream", "java.net.Socket", "java.io.IOException"),
        value_kind="bytes",
    ),
    Source(
        id="file-stream",
        language="java",
        framework="stdlib",
        header="public void $handler(Path $src)$throws",
        read="InputStream $var = Files.newInputStream($src);",
        imports=("java.io.InputStream", "java.nio.file.Files", "java.nio.file.Path", "java.io.IOException"),
        value_kind="bytes",
    ),
)

REGISTRY.register_all(SOURCES)
