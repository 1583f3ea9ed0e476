"""Read a discovered source file and cut it into units (the worker of `--jobs`).

Reading decides whether a file can be scanned at all (binary, not UTF-8, unreadable: a reason,
never an exception); cutting is `vulntune.units.extract_units`.
"""

from __future__ import annotations

from vulntune.errors import VulntuneError
from vulntune.scan.discover import SourceFile
from vulntune.units import ExtractedFile, extract_slices, extract_units

# Reading a file stops at its first NUL byte within this many bytes: such a file is binary.
BINARY_SNIFF_BYTES = 8192


def read_source(path: str, data: bytes | None = None) -> str:
    """Read a source file as text (`data`, its bytes, when they are already read).

    Raises:
        VulntuneError: the reason it cannot be scanned (binary, not UTF-8, unreadable).
    """
    if data is None:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except PermissionError:
            raise VulntuneError("permission denied") from None
        except OSError as exc:
            raise VulntuneError((exc.strerror or type(exc).__name__).lower()) from None
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        raise VulntuneError("binary file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise VulntuneError(f"not valid UTF-8 (byte {exc.start})") from None


def extract_file(
    source: SourceFile,
    slices: bool = False,
    models: tuple[str, ...] = (),
    renders: bool = False,
) -> ExtractedFile:
    """Read and cut one file into functions, or with `slices` into candidate slices with the
    user's taint `models`, and with `renders` the values its views hand templates (the worker
    function of `--jobs`: top level, so it pickles). Slices' reachability is decided afterwards, for
    all files at once (`vulntune.scan.scanner.across_files`)."""
    try:
        text = read_source(source.path, source.data)
    except VulntuneError as exc:
        return ExtractedFile(file=source.display, language=source.language, skipped=str(exc))
    try:
        if slices:
            return extract_slices(
                text,
                language=source.language,
                file=source.display,
                threat_model=None,
                models=models,
                renders=renders,
            )
        return extract_units(text, language=source.language, file=source.display)
    except Exception as exc:  # a parser bug must cost one file, not the scan
        return ExtractedFile(
            file=source.display, language=source.language, skipped=f"could not be parsed ({type(exc).__name__})"
        )
