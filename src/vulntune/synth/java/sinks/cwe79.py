"""CWE-79 cross-site scripting: request data written into HTML responses unescaped."""

from vulntune.synth.java.sinks.common import fix, sink, vocabulary
from vulntune.synth.template import Fix

CWE = "CWE-79"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("q", "comment", "displayName", "message", "title", "nickname"),
    constants=("Welcome", "guest", "Monthly summary", "No results"),
    affixes=(("Hello, ", ""), ("", "!"), ("Results for ", "")),
    headers=("X-Display-Name", "Referer"),
)

# A hand-written escaper in both twins; the escape-helper fix calls it, the vulnerable twin does not.
_ESCAPER = (
    "private static String $escape(String text) {\n"
    '    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")\n'
    '            .replace("\\"", "&quot;").replace("\'", "&#x27;");\n'
    "}"
)


def _escaped(code: str) -> tuple[Fix, ...]:
    return (
        fix(
            id="owasp-encode-for-html",
            imports=("org.owasp.encoder.Encode",),
            code=code.replace("$value", "Encode.forHtml($value)"),
        ),
        fix(
            id="spring-html-escape",
            imports=("org.springframework.web.util.HtmlUtils",),
            code=code.replace("$value", "HtmlUtils.htmlEscape($value)"),
        ),
        fix(id="escape-helper", code=code.replace("$value", "$escape($value)")),
    )


_SERVLET = ("servlet",)
_PRINT = (
    'response.setContentType("text/html;charset=UTF-8");\n'
    "PrintWriter $w = response.getWriter();\n"
    '@@$w.print("<p>Results for " + $value + "</p>");'
)
sink(
    id="xss-servlet-writer-print",
    cwe=CWE,
    api="java.io.PrintWriter.print",
    frameworks=_SERVLET,
    prelude=_ESCAPER,
    imports=("java.io.PrintWriter",),
    vulnerable=_PRINT,
    fixes=_escaped(_PRINT),
)

_WRITE = (
    'response.setContentType("text/html");\n'
    '@@response.getWriter().write("<div class=\\"comment\\">" + $value + "</div>");'
)
sink(
    id="xss-servlet-writer-write",
    cwe=CWE,
    api="java.io.PrintWriter.write",
    frameworks=_SERVLET,
    prelude=_ESCAPER,
    vulnerable=_WRITE,
    fixes=_escaped(_WRITE),
)

_PRINTF = (
    "PrintWriter $w = response.getWriter();\n"
    '$w.println("<html><body>");\n'
    '@@$w.printf("<h1>%s</h1>%n", $value);\n'
    '$w.println("</body></html>");'
)
sink(
    id="xss-servlet-writer-printf",
    cwe=CWE,
    api="java.io.PrintWriter.printf",
    frameworks=_SERVLET,
    prelude=_ESCAPER,
    imports=("java.io.PrintWriter",),
    vulnerable=_PRINTF,
    fixes=_escaped(_PRINTF),
)

_STREAM = (
    'response.setContentType("text/html");\n'
    '@@response.getOutputStream().println("<span class=\\"name\\">" + $value + "</span>");'
)
sink(
    id="xss-servlet-output-stream",
    cwe=CWE,
    api="javax.servlet.ServletOutputStream.println",
    frameworks=_SERVLET,
    prelude=_ESCAPER,
    vulnerable=_STREAM,
    fixes=_escaped(_STREAM),
)

_BODY = '@@return "<html><body><h2>" + $value + "</h2></body></html>";'
sink(
    id="xss-spring-response-body",
    cwe=CWE,
    api="Spring @ResponseBody String",
    frameworks=("spring",),
    prelude=_ESCAPER,
    vulnerable=_BODY,
    fixes=_escaped(_BODY),
    returns=("String", '""', ()),
)

_ENTITY = '@@return ResponseEntity.ok().contentType(MediaType.TEXT_HTML).body("<p>" + $value + "</p>");'
sink(
    id="xss-spring-response-entity-html",
    cwe=CWE,
    api="ResponseEntity.BodyBuilder.body",
    frameworks=("spring",),
    prelude=_ESCAPER,
    imports=("org.springframework.http.MediaType",),
    vulnerable=_ENTITY,
    fixes=_escaped(_ENTITY),
    returns=(
        "ResponseEntity<String>",
        "ResponseEntity.noContent().build()",
        ("org.springframework.http.ResponseEntity",),
    ),
)

_JAXRS = '@@return Response.ok("<p>" + $value + "</p>", MediaType.TEXT_HTML).build();'
sink(
    id="xss-jaxrs-response-ok",
    cwe=CWE,
    api="javax.ws.rs.core.Response.ok",
    frameworks=("jaxrs",),
    prelude=_ESCAPER,
    imports=("javax.ws.rs.core.MediaType",),
    vulnerable=_JAXRS,
    fixes=_escaped(_JAXRS),
    returns=("Response", "Response.noContent().build()", ("javax.ws.rs.core.Response",)),
)
