"""CWE-918 server-side request forgery: requests, urllib, httpx and urllib3 fetching a URL from
the request. Fixes allow-list the host."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import ALLOW_LIST, fix, sink
from vulntune.synth.template import REGISTRY

CWE = "CWE-918"
_URLSPLIT = ("from urllib.parse import urlsplit",)


def _fetch(id: str, api: str, call: str, check: str, imports: tuple[str, ...]):
    """Vulnerable: a check that does not restrict the host. Fixes: allow-listed host (and https)."""
    return sink(id, CWE, api, f'''
        $parts = urlsplit($value)
        if {check}:
            $reject
        @@{call}
        ''', [
        fix("allow-listed-host", f'''
            $parts = urlsplit($value)
            if $parts.hostname not in $ALLOWED:
                $reject
            @@{call}
            ''', prelude=ALLOW_LIST),
        fix("https-allow-listed-host", f'''
            $parts = urlsplit($value)
            if $parts.scheme != "https" or $parts.hostname not in $ALLOWED:
                $reject
            @@{call}
            ''', prelude=ALLOW_LIST),
    ], imports=_URLSPLIT + imports)


SINKS = [
    _fetch("ssrf-requests-get", "requests.get", "$resp = requests.get($value, timeout=5)",
           '$parts.scheme not in ("http", "https")', ("import requests",)),
    _fetch("ssrf-requests-post-webhook", "requests.post",
           '$resp = requests.post($value, json={"event": "$entity.updated"}, timeout=5)', "not $parts.netloc",
           ("import requests",)),
    _fetch("ssrf-urllib-urlopen", "urllib.request.urlopen",
           "$fetched = urllib.request.urlopen($value, timeout=5).read()", "not $parts.netloc",
           ("import urllib.request",)),
    _fetch("ssrf-httpx-get", "httpx.get", "$resp = httpx.get($value, follow_redirects=True)",
           '$parts.scheme not in ("http", "https")', ("import httpx",)),
    _fetch("ssrf-urllib3-pool-request", "urllib3.PoolManager.request", '$resp = urllib3.PoolManager().request("GET", $value)',
           "len($value) > $maxlen", ("import urllib3",)),
]

REGISTRY.register_all(SINKS)
