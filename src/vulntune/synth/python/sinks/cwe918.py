"""CWE-918 server-side request forgery: requests, urllib, httpx and urllib3 fetching a URL from
the request. Vulnerable checks look at the scheme, or match allowed hosts by substring, prefix
or suffix, or only warn; fixes compare the parsed host with an allow-list."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import ALLOW_LIST, fix, sink, vocabulary

CWE = "CWE-918"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("url", "endpoint", "callback", "webhook", "feed_url", "image_url", "target_url"),
    constants=(
        "https://api.example.com/status",
        "https://status.example.org/health",
        "https://cdn.example.net/logo.png",
    ),
    affixes=(("", "/health"), ("", "/api/status"), ("", "?format=json"), ("https://", "")),
    choices=("api.example.com", "status.example.org", "cdn.example.net", "images.example.com"),
    step_comment="# fetch the remote resource",
)

_URLSPLIT = ("from urllib.parse import urlsplit",)
_EXACT = "not any($parts.hostname == host for host in $ALLOWED)"


def _fetch(
    id: str,
    api: str,
    call: str,
    check: str,
    imports: tuple[str, ...],
    *,
    allow_list_in_check: bool = False,
    action: str = "$reject",
):
    """`check` is the vulnerable condition; when it already reads the allow-list, the allow-list is
    module code of both twins and the fix compares hosts exactly."""
    exact = _EXACT if allow_list_in_check else "$parts.hostname not in $ALLOWED"
    prelude = "" if allow_list_in_check else ALLOW_LIST
    return sink(
        id=id,
        cwe=CWE,
        api=api,
        vulnerable=f"""
        $parts = urlsplit($value)
        if {check}:
            {action}
        @@{call}
        """,
        fixes=[
            fix(
                id="allow-listed-host",
                code=f"""
            $parts = urlsplit($value)
            if {exact}:
                $reject
            @@{call}
            """,
                prelude=prelude,
            ),
            fix(
                id="https-allow-listed-host",
                code=f"""
            $parts = urlsplit($value)
            if $parts.scheme != "https" or {exact}:
                $reject
            @@{call}
            """,
                prelude=prelude,
            ),
        ],
        imports=_URLSPLIT + imports,
        prelude=ALLOW_LIST if allow_list_in_check else "",
    )


_fetch(
    "ssrf-requests-get",
    "requests.get",
    "$resp = requests.get($value, timeout=5)",
    '$parts.scheme not in ("http", "https")',
    ("import requests",),
)

_fetch(
    "ssrf-requests-post-webhook",
    "requests.post",
    '$resp = requests.post($value, json={"event": "$entity.updated"}, timeout=5)',
    "not any(host in $value for host in $ALLOWED)",
    ("import requests",),
    allow_list_in_check=True,
)

_fetch(
    "ssrf-urllib-urlopen",
    "urllib.request.urlopen",
    "$fetched = urllib.request.urlopen($value, timeout=5).read()",
    'not $value.startswith(tuple("https://" + host for host in $ALLOWED))',
    ("import urllib.request",),
    allow_list_in_check=True,
)

_fetch(
    "ssrf-httpx-get",
    "httpx.get",
    "$resp = httpx.get($value, follow_redirects=True)",
    'not any(($parts.hostname or "").endswith(host.split(".", 1)[-1]) for host in $ALLOWED)',
    ("import httpx",),
    allow_list_in_check=True,
)

_fetch(
    "ssrf-urllib3-pool-request",
    "urllib3.PoolManager.request",
    '$resp = urllib3.PoolManager().request("GET", $value)',
    "not any($parts.hostname == host for host in $ALLOWED)",
    ("import urllib3",),
    allow_list_in_check=True,
    action="$log_warn",
)
