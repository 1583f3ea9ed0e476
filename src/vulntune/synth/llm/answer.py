"""Read a model's answer: a JSON object {"vulnerable": ..., "safe": ...}, or two fenced code blocks."""

from __future__ import annotations

import json
import re

_FENCE = re.compile(r"```[^\n`]*\n(.*?)```", re.DOTALL)
_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


def read_answer(text: str) -> tuple[str, str] | None:
    """(vulnerable, safe) code, or None when the answer holds neither form.

    The JSON object may sit inside a ```json fence or prose; failing that, the first two fenced
    blocks that are not JSON are taken as the vulnerable and the safe file, in that order.
    """
    pair = _from_json(text)
    if pair is None:
        for block in _FENCE.findall(text):
            pair = _from_json(block)
            if pair is not None:
                break
    if pair is None:
        blocks = [b for b in _FENCE.findall(text) if b.strip() and _from_json(b) is None]
        if len(blocks) >= 2:
            pair = (blocks[0], blocks[1])
    if pair is None:
        return None
    vulnerable, safe = (_tidy(code) for code in pair)
    return (vulnerable, safe) if vulnerable and safe else None


def _from_json(text: str) -> tuple[str, str] | None:
    match = _OBJECT.search(text)
    if match is None:
        return None
    try:
        record = json.loads(match.group(0))
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    vulnerable, safe = record.get("vulnerable"), record.get("safe")
    if isinstance(vulnerable, str) and isinstance(safe, str):
        return vulnerable, safe
    return None


def _tidy(code: str) -> str:
    """Trailing spaces off, tabs and CRLF normalised away, one final newline (as templates render)."""
    lines = [line.rstrip() for line in code.replace("\r\n", "\n").expandtabs(4).split("\n")]
    return "\n".join(lines).strip("\n") + "\n" if any(lines) else ""
