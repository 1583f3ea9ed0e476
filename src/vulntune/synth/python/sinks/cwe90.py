"""CWE-90 LDAP injection: ldap3 search and paged search, python-ldap search_s / search_ext_s."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import fix, sink
from vulntune.synth.template import REGISTRY

CWE = "CWE-90"
_LDAP3 = ("from ldap3 import Connection, Server",)
_LDAP3_ESCAPE = ("from ldap3.utils.conv import escape_filter_chars",)

SINKS = [
    sink(
        "ldap-filter-concat-ldap3-search",
        CWE,
        "ldap3.Connection.search",
        """
        if len($value) > $maxlen:
            $reject
        $ldap_conn = Connection(Server("$ldaphost"), auto_bind=True)
        @@$ldap_conn.search("$basedn", "(uid=" + $value + ")", attributes=["cn", "mail"])
        $rows = $ldap_conn.entries
        """,
        [
            fix(
                "escape-filter-chars",
                """
            if len($value) > $maxlen:
                $reject
            $ldap_conn = Connection(Server("$ldaphost"), auto_bind=True)
            @@$ldap_conn.search("$basedn", "(uid=" + escape_filter_chars($value) + ")", attributes=["cn", "mail"])
            $rows = $ldap_conn.entries
            """,
                imports=_LDAP3_ESCAPE,
            ),
            fix(
                "strict-pattern",
                """
            if not re.fullmatch(r"[A-Za-z0-9._-]{1,64}", $value):
                $reject
            $ldap_conn = Connection(Server("$ldaphost"), auto_bind=True)
            @@$ldap_conn.search("$basedn", "(uid=" + $value + ")", attributes=["cn", "mail"])
            $rows = $ldap_conn.entries
            """,
                imports=("import re",),
            ),
        ],
        imports=_LDAP3,
    ),
    sink(
        "ldap-filter-percent-python-ldap-search-s",
        CWE,
        "ldap.ldapobject.LDAPObject.search_s",
        """
        $ldap_conn = ldap.initialize("ldap://$ldaphost")
        @@$rows = $ldap_conn.search_s("$basedn", ldap.SCOPE_SUBTREE, "(&(objectClass=person)(cn=%s))" % $value)
        """,
        [
            fix(
                "escape-filter-chars",
                """
            $ldap_conn = ldap.initialize("ldap://$ldaphost")
            @@$rows = $ldap_conn.search_s("$basedn", ldap.SCOPE_SUBTREE, "(&(objectClass=person)(cn=%s))" % ldap.filter.escape_filter_chars($value))
            """,
                imports=("import ldap.filter",),
            ),
            fix(
                "filter-format",
                """
            $ldap_conn = ldap.initialize("ldap://$ldaphost")
            @@$rows = $ldap_conn.search_s("$basedn", ldap.SCOPE_SUBTREE, ldap.filter.filter_format("(&(objectClass=person)(cn=%s))", [$value]))
            """,
                imports=("import ldap.filter",),
            ),
        ],
        imports=("import ldap",),
    ),
    sink(
        "ldap-filter-fstring-python-ldap-search-ext-s",
        CWE,
        "ldap.ldapobject.LDAPObject.search_ext_s",
        """
        $ldap_conn = ldap.initialize("ldap://$ldaphost")
        $ldap_conn.simple_bind_s()
        @@$rows = $ldap_conn.search_ext_s("$basedn", ldap.SCOPE_SUBTREE, f"(mail={$value})", ["cn"])
        """,
        [
            fix(
                "escape-filter-chars",
                """
            $ldap_conn = ldap.initialize("ldap://$ldaphost")
            $ldap_conn.simple_bind_s()
            @@$rows = $ldap_conn.search_ext_s("$basedn", ldap.SCOPE_SUBTREE, f"(mail={escape_filter_chars($value)})", ["cn"])
            """,
                imports=("from ldap.filter import escape_filter_chars",),
            ),
        ],
        imports=("import ldap",),
    ),
    sink(
        "ldap-filter-format-ldap3-paged-search",
        CWE,
        "ldap3.extend.standard.PagedSearch.paged_search",
        """
        with Connection(Server("$ldaphost"), auto_bind=True) as $ldap_conn:
            @@$rows = list($ldap_conn.extend.standard.paged_search("$basedn", "(sAMAccountName={})".format($value), attributes=["memberOf"]))
        """,
        [
            fix(
                "escape-filter-chars",
                """
            with Connection(Server("$ldaphost"), auto_bind=True) as $ldap_conn:
                @@$rows = list($ldap_conn.extend.standard.paged_search("$basedn", "(sAMAccountName={})".format(escape_filter_chars($value)), attributes=["memberOf"]))
            """,
                imports=_LDAP3_ESCAPE,
            ),
        ],
        imports=_LDAP3,
    ),
]

REGISTRY.register_all(SINKS)
