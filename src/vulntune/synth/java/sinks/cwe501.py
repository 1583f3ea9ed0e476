"""CWE-501 trust boundary violation: request data stored in session / application scope."""

from vulntune.synth.java.sinks.common import fix, sink, vocabulary

CWE = "CWE-501"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("role", "tenantId", "userType", "plan", "locale"),
    constants=("viewer", "guest", "standard", "en"),
    headers=("X-Role", "X-Tenant-Id"),
)

_PRELUDE = (
    'private static final Set<String> $allowed = Set.of("viewer", "editor", "guest", "standard", "en");\n'
    'private static final Pattern $pattern = Pattern.compile("[a-z]{2,16}");'
)
_IMPORTS = ("java.util.Set", "java.util.regex.Pattern")
_ALLOWED = 'if (!$allowed.contains($value)) {\n    throw new IllegalArgumentException("unsupported $param");\n}\n'
_PATTERN = (
    'if (!$pattern.matcher($value).matches()) {\n    throw new IllegalArgumentException("unsupported $param");\n}\n'
)


def _trust(id: str, api: str, code: str, frameworks: tuple[str, ...], imports: tuple[str, ...] = ()) -> None:
    head, sep, rest = code.partition("@@")
    sink(
        id=id,
        cwe=CWE,
        api=api,
        frameworks=frameworks,
        prelude=_PRELUDE,
        imports=_IMPORTS + imports,
        vulnerable=code,
        fixes=(
            fix(id="allow-list", code=head + _ALLOWED + sep + rest),
            fix(id="pattern-check", code=head + _PATTERN + sep + rest),
        ),
    )


_trust(
    "trust-session-set-attribute",
    "javax.servlet.http.HttpSession.setAttribute",
    'HttpSession $session = request.getSession();\n@@$session.setAttribute("$param", $value);',
    ("servlet",),
    ("javax.servlet.http.HttpSession",),
)
_trust(
    "trust-session-put-value",
    "javax.servlet.http.HttpSession.putValue",
    'HttpSession $session = request.getSession(true);\n@@$session.putValue("$param", $value);',
    ("servlet",),
    ("javax.servlet.http.HttpSession",),
)
_trust(
    "trust-servlet-context-set-attribute",
    "javax.servlet.ServletContext.setAttribute",
    'ServletContext $session = request.getServletContext();\n@@$session.setAttribute("$param", $value);',
    ("servlet",),
    ("javax.servlet.ServletContext",),
)
_trust(
    "trust-request-attributes-session",
    "RequestAttributes.setAttribute(SCOPE_SESSION)",
    "RequestAttributes $attrs = RequestContextHolder.currentRequestAttributes();\n"
    '@@$attrs.setAttribute("$param", $value, RequestAttributes.SCOPE_SESSION);',
    ("spring",),
    (
        "org.springframework.web.context.request.RequestAttributes",
        "org.springframework.web.context.request.RequestContextHolder",
    ),
)
