"""CWE-614 sensitive cookie without the Secure attribute (Servlet, Spring, JAX-RS): the flag false, never
set, set through a variable or a helper, or set after the cookie was added."""

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

# The flags set a few statements before addCookie, through a variable, a helper or a builder; and
# the flag set too late: the container writes the Set-Cookie header when addCookie is called.
_VARIABLE = (
    "boolean $secureflag = FLAG;\n"
    'Cookie $cookie = new Cookie("$cookiename", $value);\n'
    "$cookie.setHttpOnly(true);\n"
    '$cookie.setPath("/");\n'
    "$cookie.setSecure($secureflag);\n"
    "$cookie.setMaxAge(3600);\n"
    "@@response.addCookie($cookie);"
)
sink(
    id="cookie-secure-flag-variable-false",
    cwe=CWE,
    api="javax.servlet.http.Cookie.setSecure(variable)",
    frameworks=_SERVLET,
    imports=("javax.servlet.http.Cookie",),
    vulnerable=_VARIABLE.replace("FLAG", "false"),
    fixes=(fix(id="secure-variable-true", code=_VARIABLE.replace("FLAG", "true")),),
)

_CONFIGURE = (
    "private static Cookie $configure(Cookie $ck) {\n"
    "    $ck.setHttpOnly(true);\n"
    "SECURE"
    '    $ck.setPath("/");\n'
    "    return $ck;\n"
    "}"
)
_CONFIGURED = 'Cookie $cookie = $configure(new Cookie("$cookiename", $value));\n@@response.addCookie($cookie);'
sink(
    id="cookie-helper-configures-without-secure",
    cwe=CWE,
    api="javax.servlet.http.HttpServletResponse.addCookie(configured by a helper)",
    frameworks=_SERVLET,
    imports=("javax.servlet.http.Cookie",),
    helper=_CONFIGURE.replace("SECURE", ""),
    vulnerable=_CONFIGURED,
    fixes=(
        fix(
            id="helper-sets-secure",
            helper=_CONFIGURE.replace("SECURE", "    $ck.setSecure(true);\n"),
            code=_CONFIGURED,
        ),
        fix(
            id="helper-sets-secure-and-max-age",
            helper=_CONFIGURE.replace("SECURE", "    $ck.setSecure(true);\n    $ck.setMaxAge(1800);\n"),
            code=_CONFIGURED,
        ),
    ),
)

_LATE = 'Cookie $cookie = new Cookie("$cookiename", $value);\n$cookie.setHttpOnly(true);\n'
sink(
    id="cookie-secure-set-after-add-cookie",
    cwe=CWE,
    api="javax.servlet.http.HttpServletResponse.addCookie(before setSecure)",
    frameworks=_SERVLET,
    imports=("javax.servlet.http.Cookie",),
    vulnerable=_LATE + "@@response.addCookie($cookie);\n$cookie.setSecure(true);",
    fixes=(
        fix(id="secure-before-add-cookie", code=_LATE + "$cookie.setSecure(true);\n@@response.addCookie($cookie);"),
    ),
)

_BUILDER = (
    "boolean $secureflag = FLAG;\n"
    'ResponseCookie $cookie = ResponseCookie.from("$cookiename", $value)\n'
    "        .httpOnly(true)\n"
    "        .secure($secureflag)\n"
    '        .path("/")\n'
    "        .maxAge(3600)\n"
    "        .build();\n"
    '@@return ResponseEntity.ok().header(HttpHeaders.SET_COOKIE, $cookie.toString()).body("ok");'
)
sink(
    id="cookie-spring-builder-secure-variable-false",
    cwe=CWE,
    api="org.springframework.http.ResponseCookie.ResponseCookieBuilder.secure(variable)",
    frameworks=("spring",),
    imports=("org.springframework.http.HttpHeaders", "org.springframework.http.ResponseCookie"),
    vulnerable=_BUILDER.replace("FLAG", "false"),
    fixes=(fix(id="secure-variable-true", code=_BUILDER.replace("FLAG", "true")),),
    returns=("ResponseEntity<String>", 'ResponseEntity.ok("ok")', ("org.springframework.http.ResponseEntity",)),
)
