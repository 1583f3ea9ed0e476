"""CWE-90 LDAP injection: JNDI and Spring LDAP searches with filters built by concatenation."""

from vulntune.synth.java.sinks.common import fix, sink, vocabulary
from vulntune.synth.template import Fix

CWE = "CWE-90"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("uid", "username", "login", "mail", "cn"),
    constants=("jdoe", "service", "guest", "operator"),
    headers=("X-Remote-User", "X-Login"),
)

# RFC 4515 filter escaping, in both twins; the escape-helper fix calls it.
_ESCAPER = r"""private static String $ldapEscape(String input) {
    StringBuilder escaped = new StringBuilder();
    for (char c : input.toCharArray()) {
        switch (c) {
            case '\\':
                escaped.append("\\5c");
                break;
            case '*':
                escaped.append("\\2a");
                break;
            case '(':
                escaped.append("\\28");
                break;
            case ')':
                escaped.append("\\29");
                break;
            case '\0':
                escaped.append("\\00");
                break;
            default:
                escaped.append(c);
        }
    }
    return escaped.toString();
}"""
_CATCH = "} catch (NamingException $e) {\n    throw new IllegalStateException($e);\n}"
_LOOP = '    while ($res.hasMore()) {\n        $log.info("entry " + $res.next().getNameInNamespace());\n    }\n'
_JNDI = (
    "javax.naming.NamingEnumeration",
    "javax.naming.NamingException",
    "javax.naming.directory.SearchControls",
    "javax.naming.directory.SearchResult",
)
_ENV = (
    "Hashtable<String, String> $env = new Hashtable<>();\n"
    '$env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");\n'
    '$env.put(Context.PROVIDER_URL, "ldap://ldap.example.com:389");\n'
)
_CONTROLS = "SearchControls $sc = new SearchControls();\n$sc.setSearchScope(SearchControls.SUBTREE_SCOPE);\n"


def _search(open_ctx: str, filter_expr: str, args: str = "") -> str:
    return (
        _CONTROLS
        + "try {\n"
        + open_ctx
        + f'@@    NamingEnumeration<SearchResult> $res = $ctx.search("ou=people,dc=example,dc=com", {filter_expr}{args}, $sc);\n'
        + _LOOP
        + _CATCH
    )


def _fixes(open_ctx: str, prefix: str, suffix: str) -> tuple[Fix, ...]:
    return (
        fix(id="filter-arguments", code=_search(open_ctx, f'"{prefix}{{0}}{suffix}"', ", new Object[] {$value}")),
        fix(id="escape-helper", code=_search(open_ctx, f'"{prefix}" + $ldapEscape($value) + "{suffix}"')),
    )


sink(
    id="ldap-filter-concat-dir-context",
    cwe=CWE,
    api="javax.naming.directory.DirContext.search",
    prelude="$inject\nprivate DirContext $ctx;\n\n" + _ESCAPER,
    imports=_JNDI + ("javax.naming.directory.DirContext",),
    vulnerable=_search("", '"(uid=" + $value + ")"'),
    fixes=_fixes("", "(uid=", ")"),
)

_INITIAL = "    DirContext $ctx = new InitialDirContext($env);\n"
sink(
    id="ldap-filter-concat-initial-dir-context",
    cwe=CWE,
    api="javax.naming.directory.InitialDirContext.search",
    prelude=_ESCAPER,
    imports=_JNDI
    + (
        "java.util.Hashtable",
        "javax.naming.Context",
        "javax.naming.directory.DirContext",
        "javax.naming.directory.InitialDirContext",
    ),
    vulnerable=_ENV + _search(_INITIAL, '"(&(objectClass=person)(mail=" + $value + "))"'),
    fixes=tuple(fix(id=f.id, code=_ENV + f.code) for f in _fixes(_INITIAL, "(&(objectClass=person)(mail=", "))")),
)

_LDAP = "    LdapContext $ctx = new InitialLdapContext($env, null);\n"
sink(
    id="ldap-filter-concat-ldap-context",
    cwe=CWE,
    api="javax.naming.ldap.InitialLdapContext.search",
    prelude=_ESCAPER,
    imports=_JNDI
    + (
        "java.util.Hashtable",
        "javax.naming.Context",
        "javax.naming.ldap.InitialLdapContext",
        "javax.naming.ldap.LdapContext",
    ),
    vulnerable=_ENV + _search(_LDAP, '"(cn=" + $value + ")"'),
    fixes=tuple(fix(id=f.id, code=_ENV + f.code) for f in _fixes(_LDAP, "(cn=", ")")),
)

_TEMPLATE = (
    '@@List<String> $res = $ldapt.search("ou=people", "(uid=" + $value + ")",\n'
    '        (AttributesMapper<String>) $attrs -> String.valueOf($attrs.get("cn").get()));\n'
    '$log.info("found " + $res.size());'
)
sink(
    id="ldap-filter-concat-ldap-template",
    cwe=CWE,
    api="org.springframework.ldap.core.LdapTemplate.search",
    prelude="$inject\nprivate LdapTemplate $ldapt;\n\n" + _ESCAPER,
    imports=(
        "org.springframework.ldap.core.AttributesMapper",
        "org.springframework.ldap.core.LdapTemplate",
        "java.util.List",
    ),
    vulnerable=_TEMPLATE,
    fixes=(
        fix(
            id="ldap-encoder",
            imports=("org.springframework.ldap.support.LdapEncoder",),
            code=_TEMPLATE.replace("$value", "LdapEncoder.filterEncode($value)"),
        ),
        fix(id="escape-helper", code=_TEMPLATE.replace("$value", "$ldapEscape($value)")),
    ),
)
