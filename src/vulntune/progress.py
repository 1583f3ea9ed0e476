"""Progress on a terminal for a step that has no count to show (loading a model, calibrating):
one line with the step's name and the time it has taken so far, like the bars of counted steps."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator

# Seconds between two redraws of the elapsed time: often enough to show the step is alive.
REFRESH_S = 0.5


@contextlib.contextmanager
def elapsed(desc: str, *, enabled: bool) -> Iterator[None]:
    """Show `desc: 00:07` on stderr while the body runs (nothing when `enabled` is False)."""
    if not enabled:
        yield
        return
    from tqdm import tqdm

    bar = tqdm(total=None, desc=desc, bar_format="{desc}: {elapsed}", file=sys.stderr, leave=False, dynamic_ncols=True)
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(REFRESH_S):
            bar.refresh()

    thread = threading.Thread(target=tick, name="vulntune-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        bar.close()
