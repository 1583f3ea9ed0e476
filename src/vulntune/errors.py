"""The one error type users see: a message that fits on one line, and exit code 2."""

from __future__ import annotations


class VulntuneError(Exception):
    """Bad input or an unusable artifact. The CLI prints `vulntune: <message>` and exits 2."""
