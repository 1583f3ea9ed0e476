"""Answers on disk by request hash: a re-run costs nothing and an interrupted run resumes.

One JSON file per request, `<sha256[:2]>/<sha256>.json`, written atomically. The request hash
covers the endpoint URL and the request body; the API key is never part of either.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from vulntune.atomic import write_text


def default_cache_dir() -> Path:
    """`$VULNTUNE_CACHE/llm`, else the user cache dir (e.g. ~/.cache/vulntune/llm)."""
    env = os.environ.get("VULNTUNE_CACHE")
    if env:
        return Path(env).expanduser() / "llm"
    import platformdirs

    return Path(platformdirs.user_cache_dir("vulntune", appauthor=False)) / "llm"


def request_key(url: str, body: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of (url, body)."""
    text = json.dumps({"url": url, "body": body}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AnswerCache:
    """get/put of answer texts by request key; a corrupt entry reads as a miss."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> str | None:
        try:
            record = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        content = record.get("content") if isinstance(record, dict) else None
        return content if isinstance(content, str) else None

    def put(self, key: str, content: str, *, model: str) -> None:
        record = {"content": content, "model": model, "request_sha256": key}
        write_text(self._path(key), json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n")
