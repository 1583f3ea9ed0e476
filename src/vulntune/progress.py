"""Progress on stderr, for a person at a terminal or for a CI log.

On a terminal (`mode` "bar") a step with a count draws a tqdm bar and a step without one
(loading a model, calibrating) a line with its name and the time it has taken so far. In a log
(`mode` "log": stderr is a file or a pipe, where a redrawn bar is noise) each step prints a line
every `log_every()` seconds instead, with its count so far, so a long CI job shows it is alive.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator

from vulntune.errors import VulntuneError

# Seconds between two redraws of the elapsed time: often enough to show the step is alive.
REFRESH_S = 0.5
# Seconds between two progress lines in a log: as often as a CI log shows a job is alive,
# rarely enough that a one-hour scan writes a few hundred lines.
LOG_EVERY_S = 10.0
LOG_EVERY_VARIABLE = "VULNTUNE_PROGRESS_SECONDS"  # overrides LOG_EVERY_S


def log_every() -> float:
    """Seconds between two progress lines in a log: `$VULNTUNE_PROGRESS_SECONDS`, else 10.

    Raises:
        VulntuneError: the variable is set to something other than a positive number.
    """
    raw = os.environ.get(LOG_EVERY_VARIABLE, "").strip()
    if not raw:
        return LOG_EVERY_S
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise VulntuneError(f"{LOG_EVERY_VARIABLE}={raw}: expected a number of seconds above 0")
    return seconds


def mode_for(stream, *, quiet: bool) -> str | None:
    """ "bar" when `stream` is a terminal, "log" when it is not, None with `quiet`."""
    if quiet:
        return None
    return "bar" if stream.isatty() else "log"


class _Ticker:
    """Calls `say(seconds elapsed)` every `every` seconds from a daemon thread until closed."""

    def __init__(self, say: Callable[[float], None], every: float) -> None:
        self.began = time.monotonic()
        self.stop = threading.Event()

        def tick() -> None:
            while not self.stop.wait(every):
                say(time.monotonic() - self.began)

        self.thread = threading.Thread(target=tick, name="vulntune-progress", daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        self.thread.join()


def _line(text: str) -> None:
    print(f"vulntune: {text}", file=sys.stderr, flush=True)


class LogCounter:
    """A count for a log: `update(n)` as work is done; a line such as `vulntune: parsing: 120 of
    400 files (10 s)` every `every` seconds until `close()`. The bar's interface, so the scanner
    holds either."""

    def __init__(self, *, desc: str, total: int, unit: str, every: float) -> None:
        self.n = 0
        plural = unit if total == 1 else f"{unit}s"
        self._ticker = _Ticker(lambda s: _line(f"{desc}: {self.n} of {total} {plural} ({s:.0f} s)"), every)

    def update(self, n: int = 1) -> None:
        self.n += n

    def close(self) -> None:
        self._ticker.close()


def counter(mode: str | None, *, desc: str, total: int, unit: str):
    """A progress count for `total` items: a tqdm bar ("bar"), a `LogCounter` ("log") or None."""
    if mode == "log":
        return LogCounter(desc=desc, total=total, unit=unit, every=log_every())
    if not mode:
        return None
    from tqdm import tqdm

    return tqdm(file=sys.stderr, leave=False, dynamic_ncols=True, desc=desc, total=total, unit=unit)


@contextlib.contextmanager
def elapsed(desc: str, *, enabled: bool | str) -> Iterator[None]:
    """Show `desc: 00:07` on stderr while the body runs: redrawn on a terminal (`enabled` True
    or "bar"), a line every `log_every()` seconds in a log ("log"), nothing when False or None."""
    if not enabled:
        yield
        return
    if enabled == "log":
        ticker = _Ticker(lambda s: _line(f"{desc} ({s:.0f} s)"), log_every())
        try:
            yield
        finally:
            ticker.close()
        return
    from tqdm import tqdm

    bar = tqdm(total=None, desc=desc, bar_format="{desc}: {elapsed}", file=sys.stderr, leave=False, dynamic_ncols=True)
    ticker = _Ticker(lambda _: bar.refresh(), REFRESH_S)
    try:
        yield
    finally:
        ticker.close()
        bar.close()
