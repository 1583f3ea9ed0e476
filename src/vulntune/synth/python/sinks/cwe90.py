"""CWE-90 LDAP injection: ldap3 search and paged search, python-ldap search_s / search_ext_s."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import fix, sink, vocabulary

CWE = "CWE-90"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("username", "uid", "login", "account_name", "member", "cn_value"),
    constants=("jdoe", "alice", "bob", "svc-backup", "mchen"),
    affixes=(("", "*"), ("svc-", ""), ("", "@example.com")),
    step_comment="# search the directory",
)

_LDAP3 = ("from ldap3 import Connection, Server",)
_LDAP3_ESCAPE = ("from ldap3.utils.conv import escape_filter_chars",)

sink(
    id="ldap-filter-concat-ldap3-search",
    cwe=CWE,
    api="ldap3.Connection.search",
    vulnerable="""
    if len($value) > $maxlen:
        $reject
    $ldap_conn = Connection(Server("$ldaphost"), auto_bind=True)
    @@$ldap_conn.search("$basedn", "(uid=" + $value + ")", attributes=["cn", "mail"])
    $rows = $ldap_conn.entries
    """,
    fixes=[
        fix(
            id="escape-filter-chars",
            code="""
        if len($value) > $maxlen:
            $reject
        $ldap_conn = Connection(Server("$ldaphost"), auto_bind=True)
        @@$ldap_conn.search("$basedn", "(uid=" + escape_filter_chars($value) + ")", attributes=["cn", "mail"])
        $rows = $ldap_conn.entries
        """,
            imports=_LDAP3_ESCAPE,
        ),
        fix(
            id="strict-pattern",
            code="""
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
)

sink(
    id="ldap-filter-percent-python-ldap-search-s",
    cwe=CWE,
    api="ldap.ldapobject.LDAPObject.search_s",
    vulnerable="""
    $ldap_conn = ldap.initialize("ldap://$ldaphost")
    @@$rows = $ldap_conn.search_s("$basedn", ldap.SCOPE_SUBTREE, "(&(objectClass=person)(cn=%s))" % $value)
    """,
    fixes=[
        fix(
            id="escape-filter-chars",
            code="""
        $ldap_conn = ldap.initialize("ldap://$ldaphost")
        @@$rows = $ldap_conn.search_s("$basedn", ldap.SCOPE_SUBTREE, "(&(objectClass=person)(cn=%s))" % ldap.filter.escape_filter_chars($value))
        """,
            imports=("import ldap.filter",),
        ),
        fix(
            id="filter-format",
            code="""
        $ldap_conn = ldap.initialize("ldap://$ldaphost")
        @@$rows = $ldap_conn.search_s("$basedn", ldap.SCOPE_SUBTREE, ldap.filter.filter_format("(&(objectClass=person)(cn=%s))", [$value]))
        """,
            imports=("import ldap.filter",),
        ),
    ],
    imports=("import ldap",),
)

sink(
    id="ldap-filter-fstring-python-ldap-search-ext-s",
    cwe=CWE,
    api="ldap.ldapobject.LDAPObject.search_ext_s",
    vulnerable="""
    $ldap_conn = ldap.initialize("ldap://$ldaphost")
    $ldap_conn.simple_bind_s()
    @@$rows = $ldap_conn.search_ext_s("$basedn", ldap.SCOPE_SUBTREE, f"(mail={$value})", ["cn"])
    """,
    fixes=[
        fix(
            id="escape-filter-chars",
            code="""
        $ldap_conn = ldap.initialize("ldap://$ldaphost")
        $ldap_conn.simple_bind_s()
        @@$rows = $ldap_conn.search_ext_s("$basedn", ldap.SCOPE_SUBTREE, f"(mail={escape_filter_chars($value)})", ["cn"])
        """,
            imports=("from ldap.filter import escape_filter_chars",),
        ),
    ],
    imports=("import ldap",),
)

sink(
    id="ldap-filter-format-ldap3-paged-search",
    cwe=CWE,
    api="ldap3.extend.standard.PagedSearch.paged_search",
    vulnerable="""
    with Connection(Server("$ldaphost"), auto_bind=True) as $ldap_conn:
        @@$rows = list($ldap_conn.extend.standard.paged_search("$basedn", "(sAMAccountName={})".format($value), attributes=["memberOf"]))
    """,
    fixes=[
        fix(
            id="escape-filter-chars",
            code="""
        with Connection(Server("$ldaphost"), auto_bind=True) as $ldap_conn:
            @@$rows = list($ldap_conn.extend.standard.paged_search("$basedn", "(sAMAccountName={})".format(escape_filter_chars($value)), attributes=["memberOf"]))
        """,
            imports=_LDAP3_ESCAPE,
        ),
    ],
    imports=_LDAP3,
)
