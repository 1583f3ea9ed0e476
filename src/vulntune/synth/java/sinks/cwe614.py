"""CWE-614 sensitive cookie without the Secure attribute (Servlet, Spring, JAX-RS)."""

from vulntune.synth.java.sinks.common import fix, sink, vocabulary

CWE = "CWE-614"
VOCABULARY = vocabulary(
    cwe=CWE, params=("session", "sid", "remember", "prefs"), constants=("anonymous",), headers=("X-Session",)
)

_SERVLET = ("servlet",)

sink(
    id="cookie-missing-secure",
    cwe=CWE,
    api="javax.servlet.http.HttpServletResponse.addCookie",
    frameworks=_SERVLET,
    imports=("javax.servlet.http.Cookie",),
    vulnerable='Cookie $cookie = new Cookie("$cookiename", $value);\n$cookie.setHttpOnly(true);\n'
    '$cookie.setPath("/");\n@@response.addCookie($cookie);',
    fixes=(
        fix(
            id="set-secure",
            code='Cookie $cookie = new Cookie("$cookiename", $value);\n$cookie.setHttpOnly(true);\n'
            '$cookie.setSecure(true);\n$cookie.setPath("/");\n@@response.addCookie($cookie);',
        ),
    ),
)

_FALSE = (
    'Cookie $cookie = new Cookie("$cookiename", $value);\n$cookie.setMaxAge(3600);\n'
    "@@$cookie.setSecure(FLAG);\nresponse.addCookie($cookie);"
)
sink(
    id="cookie-secure-false",
    cwe=CWE,
    api="javax.servlet.http.Cookie.setSecure",
    frameworks=_SERVLET,
    imports=("javax.servlet.http.Cookie",),
    vulnerable=_FALSE.replace("FLAG", "false"),
    fixes=(fix(id="set-secure-true", code=_FALSE.replace("FLAG", "true")),),
)

_HEADER = '@@response.setHeader("Set-Cookie", "$cookiename=" + $value + "; Path=/; HttpOnlyATTR");'
sink(
    id="cookie-set-cookie-header",
    cwe=CWE,
    api="HttpServletResponse.setHeader(Set-Cookie)",
    frameworks=_SERVLET,
    vulnerable=_HEADER.replace("ATTR", ""),
    fixes=(
        fix(id="secure-attribute", code=_HEADER.replace("ATTR", "; Secure")),
        fix(id="secure-same-site", code=_HEADER.replace("ATTR", "; Secure; SameSite=Strict")),
    ),
)

_SPRING = (
    '@@ResponseCookie $cookie = ResponseCookie.from("$cookiename", $value).httpOnly(true).secure(FLAG).path("/").build();\n'
    'return ResponseEntity.ok().header(HttpHeaders.SET_COOKIE, $cookie.toString()).body("ok");'
)
sink(
    id="cookie-spring-response-cookie",
    cwe=CWE,
    api="org.springframework.http.ResponseCookie.secure",
    frameworks=("spring",),
    imports=("org.springframework.http.HttpHeaders", "org.springframework.http.ResponseCookie"),
    vulnerable=_SPRING.replace("FLAG", "false"),
    fixes=(fix(id="secure-true", code=_SPRING.replace("FLAG", "true")),),
    returns=("ResponseEntity<String>", 'ResponseEntity.ok("ok")', ("org.springframework.http.ResponseEntity",)),
)

_JAXRS = (
    '@@NewCookie $cookie = new NewCookie("$cookiename", $value, "/", null, null, 3600, FLAG);\n'
    "return Response.ok().cookie($cookie).build();"
)
sink(
    id="cookie-jaxrs-new-cookie",
    cwe=CWE,
    api="javax.ws.rs.core.NewCookie",
    frameworks=("jaxrs",),
    imports=("javax.ws.rs.core.NewCookie",),
    vulnerable=_JAXRS.replace("FLAG", "false"),
    fixes=(fix(id="secure-true", code=_JAXRS.replace("FLAG", "true")),),
    returns=("Response", "Response.noContent().build()", ("javax.ws.rs.core.Response",)),
)
