"""CWE-601 open redirect: redirect targets taken from the request (Servlet, Spring, JAX-RS)."""

from vulntune.synth.java.sinks.common import fix, sink, vocabulary
from vulntune.synth.template import Fix

CWE = "CWE-601"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("next", "returnUrl", "redirect", "continueTo", "target"),
    constants=("/dashboard", "/home", "/account", "/"),
    headers=("Referer", "X-Return-To"),
    uuid_ok=False,
)

_HOSTS = 'private static final Set<String> $hosts = Set.of("www.example.com", "accounts.example.com");'
_IMPORTS = ("java.util.Set", "java.net.URI")
_RELATIVE = (
    'if (!$value.startsWith("/") || $value.startsWith("//") || $value.startsWith("/\\\\")) {\n'
    '    throw new IllegalArgumentException("external redirect");\n'
    "}\n"
)
_HOST_CHECK = (
    "URI $uri = URI.create($value);\n"
    "if ($uri.getHost() != null && !$hosts.contains($uri.getHost())) {\n"
    '    throw new IllegalArgumentException("external redirect");\n'
    "}\n"
)


def _fixes(code: str) -> tuple[Fix, ...]:
    return (fix(id="relative-only", code=_RELATIVE + code), fix(id="host-allow-list", code=_HOST_CHECK + code))


def _redirect(id: str, api: str, code: str, frameworks: tuple[str, ...], imports=(), returns=None) -> None:
    sink(
        id=id,
        cwe=CWE,
        api=api,
        frameworks=frameworks,
        prelude=_HOSTS,
        imports=_IMPORTS + imports,
        vulnerable=code,
        fixes=_fixes(code),
        returns=returns,
    )


_redirect(
    "redirect-send-redirect",
    "javax.servlet.http.HttpServletResponse.sendRedirect",
    '$log.info("redirecting $entity view");\n@@response.sendRedirect($value);',
    ("servlet",),
)
_redirect(
    "redirect-location-header",
    "HttpServletResponse.setHeader(Location)",
    'response.setStatus(HttpServletResponse.SC_FOUND);\n@@response.setHeader("Location", $value);',
    ("servlet",),
)
_redirect(
    "redirect-spring-redirect-view",
    "org.springframework.web.servlet.view.RedirectView",
    "@@return new RedirectView($value);",
    ("spring",),
    ("org.springframework.web.servlet.view.RedirectView",),
    ("RedirectView", 'new RedirectView("/")', ("org.springframework.web.servlet.view.RedirectView",)),
)
_redirect(
    "redirect-spring-model-and-view",
    "org.springframework.web.servlet.ModelAndView(redirect:)",
    '@@return new ModelAndView("redirect:" + $value);',
    ("spring",),
    (),
    ("ModelAndView", 'new ModelAndView("home")', ("org.springframework.web.servlet.ModelAndView",)),
)
_redirect(
    "redirect-spring-response-entity-location",
    "ResponseEntity.HeadersBuilder.location",
    "@@return ResponseEntity.status(HttpStatus.FOUND).location(URI.create($value)).build();",
    ("spring",),
    ("org.springframework.http.HttpStatus",),
    ("ResponseEntity<Void>", "ResponseEntity.noContent().build()", ("org.springframework.http.ResponseEntity",)),
)
_redirect(
    "redirect-jaxrs-see-other",
    "javax.ws.rs.core.Response.seeOther",
    "@@return Response.seeOther(URI.create($value)).build();",
    ("jaxrs",),
    (),
    ("Response", "Response.noContent().build()", ("javax.ws.rs.core.Response",)),
)
