"""A minimal OpenAI-compatible chat completions client: standard library only, cached, retried.

Timeouts, HTTP 429 and 5xx (and unreachable or garbled answers) are retried with bounded
exponential backoff; when they persist the run stops with one line (VulntuneError, exit 2).
Answers already cached stay cached, so the next run resumes where this one stopped. The API
key goes into the Authorization header only: never into the cache, a message or an output.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vulntune.errors import VulntuneError
from vulntune.synth.llm.cache import AnswerCache, request_key

TEMPERATURE = 0.8  # varied code, still on topic; the request seed makes a server that honours it repeatable
MAX_RETRIES = 5  # 6 attempts, sleeping 1+2+4+8+16 = 31 s at most in between (Retry-After capped too)
BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 30.0


class BudgetExhausted(Exception):
    """--max-requests reached: the caller stops asking (not an error)."""


@dataclass(kw_only=True)
class ClientStats:
    requests: int = 0  # requests sent (retries of one request count once)
    retries: int = 0
    cache_hits: int = 0
    response_format_fallback: bool = False  # the server refused response_format; asked without


def chat_url(endpoint: str) -> str:
    """`{endpoint}/chat/completions`, or the endpoint itself when it already names that path."""
    url = endpoint.rstrip("/")
    return url if url.endswith("/chat/completions") else f"{url}/chat/completions"


def display_url(url: str) -> str:
    """The URL without user info, query or fragment (where keys sometimes hide): safe to print."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


class _Retryable(Exception):
    pass


class ChatClient:
    """Ask for one completion at a time; `sleep` is injectable so tests need not wait."""

    def __init__(
        self,
        *,
        endpoint: str,
        model: str,
        api_key: str | None,
        cache: AnswerCache,
        timeout: float = 60.0,
        max_requests: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = chat_url(endpoint)
        self.model = model
        self._api_key = api_key
        self.cache = cache
        self.timeout = timeout
        self.max_requests = max_requests
        self.sleep = sleep
        self.stats = ClientStats()

    def complete(self, messages: list[dict[str, str]], *, seed: int) -> str:
        """The answer text for `messages` (from the cache when asked before)."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": TEMPERATURE,
            "seed": seed,
            "response_format": {"type": "json_object"},
        }
        key = request_key(self.url, body)  # the answer is cached under the request as first asked
        cached = self.cache.get(key)
        if cached is not None:
            self.stats.cache_hits += 1
            return cached
        if self.max_requests is not None and self.stats.requests >= self.max_requests:
            raise BudgetExhausted
        self.stats.requests += 1
        send = dict(body)
        if self.stats.response_format_fallback:
            del send["response_format"]
        try:
            content = self._post_with_retries(send)
        except _RejectedResponseFormat:
            self.stats.response_format_fallback = True
            del send["response_format"]
            content = self._post_with_retries(send)
        self.cache.put(key, content, model=self.model)
        return content

    def _post_with_retries(self, body: dict[str, Any]) -> str:
        last = ""
        for attempt in range(MAX_RETRIES + 1):
            if attempt:
                self.stats.retries += 1
            try:
                return self._post(body)
            except _Retryable as exc:
                last, wait = exc.args
                if attempt < MAX_RETRIES:
                    self.sleep(min(MAX_BACKOFF_SECONDS, wait if wait is not None else BACKOFF_SECONDS * 2**attempt))
        raise VulntuneError(
            f"{display_url(self.url)}: still failing after {MAX_RETRIES + 1} attempts ({last}); "
            "answers so far are cached, a re-run resumes"
        )

    def _post(self, body: dict[str, Any]) -> str:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        request = urllib.request.Request(
            self.url, data=json.dumps(body).encode("utf-8"), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            detail = self._detail(exc)
            if exc.code == 429 or exc.code >= 500:
                raise _Retryable(f"HTTP {exc.code}", _retry_after(exc.headers.get("Retry-After"))) from None
            if exc.code == 400 and "response_format" in body:
                raise _RejectedResponseFormat from None
            hint = " (is the API key set? see --api-key-env)" if exc.code in (401, 403) else ""
            raise VulntuneError(f"{display_url(self.url)}: HTTP {exc.code}{detail}{hint}") from None
        except (OSError, http.client.HTTPException) as exc:  # timeouts, refused, reset, cut-off answers
            reason = getattr(exc, "reason", exc)
            name = "timed out" if isinstance(reason, TimeoutError) or "timed out" in str(reason) else "unreachable"
            raise _Retryable(name, None) from None
        try:
            content = json.loads(raw)["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise _Retryable("answer is not a chat completion", None) from None
        return content if isinstance(content, str) else ""

    def _detail(self, exc: urllib.error.HTTPError) -> str:
        """The first line of an error body, shortened, with the key masked should it echo."""
        try:
            text = exc.read().decode("utf-8", "replace")
        except OSError:
            return ""
        line = next((part.strip() for part in text.splitlines() if part.strip()), "")[:200]
        if self._api_key:
            line = line.replace(self._api_key, "***")
        return f": {line}" if line else ""


class _RejectedResponseFormat(Exception):
    pass


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
