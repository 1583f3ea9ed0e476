"""Benign class members shared by both labels: validation of unrelated fields (allow-lists,
patterns, number parsing, path checks), formatting helpers, counters.

They put the same kinds of code that fixes use (allow-lists, escaping, normalize/startsWith,
parseInt) into vulnerable and safe samples alike, so that such code is no label cue. None of
them is a weakness: they never touch request data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    """Class-level code (fields and methods separated by blank lines) and its imports."""

    code: str
    imports: tuple[str, ...] = ()


BLOCKS = (
    Block(
        'private static final Set<String> SUPPORTED_FORMATS = Set.of("csv", "json", "xml");\n'
        "\n"
        "private boolean isSupportedFormat(String format) {\n"
        "    return format != null && SUPPORTED_FORMATS.contains(format.toLowerCase(Locale.ROOT));\n"
        "}",
        ("java.util.Locale", "java.util.Set"),
    ),
    Block(
        "private int parsePageSize(String raw) {\n"
        "    try {\n"
        "        return Math.min(100, Math.max(1, Integer.parseInt(raw)));\n"
        "    } catch (NumberFormatException ignored) {\n"
        "        return 20;\n"
        "    }\n"
        "}",
    ),
    Block(
        "private static String normalizeEmail(String email) {\n"
        '    return email == null ? "" : email.trim().toLowerCase(Locale.ROOT);\n'
        "}",
        ("java.util.Locale",),
    ),
    Block(
        '@Override\npublic String toString() {\n    return "$Entity" + getClass().getSimpleName();\n}',
    ),
    Block(
        'private static final Pattern POSTAL_CODE = Pattern.compile("[0-9]{5}(-[0-9]{4})?");\n'
        "\n"
        "private static boolean isValidPostalCode(String zip) {\n"
        "    return zip != null && POSTAL_CODE.matcher(zip).matches();\n"
        "}",
        ("java.util.regex.Pattern",),
    ),
    Block(
        'private static final Path ARCHIVE_ROOT = Paths.get("/var/lib/$entity/archive");\n'
        "\n"
        "private Path archiveFor(int year) {\n"
        "    Path dir = ARCHIVE_ROOT.resolve(Integer.toString(year)).normalize();\n"
        "    if (!dir.startsWith(ARCHIVE_ROOT)) {\n"
        '        throw new IllegalStateException("invalid year " + year);\n'
        "    }\n"
        "    return dir;\n"
        "}",
        ("java.nio.file.Path", "java.nio.file.Paths"),
    ),
    Block(
        "private final AtomicLong requestCount = new AtomicLong();\n"
        "\n"
        "long requestsServed() {\n"
        "    return requestCount.incrementAndGet();\n"
        "}",
        ("java.util.concurrent.atomic.AtomicLong",),
    ),
    Block(
        "private static String csvCell(String cell) {\n"
        "    if (cell == null) {\n"
        '        return "";\n'
        "    }\n"
        '    return "\\"" + cell.replace("\\"", "\\"\\"") + "\\"";\n'
        "}",
    ),
    Block(
        "private static String maskAccount(String number) {\n"
        "    if (number == null || number.length() < 4) {\n"
        '        return "****";\n'
        "    }\n"
        '    return "****" + number.substring(number.length() - 4);\n'
        "}",
    ),
    Block(
        "private static int clamp(int amount, int low, int high) {\n"
        "    return Math.max(low, Math.min(high, amount));\n"
        "}",
    ),
    Block(
        "private static final int DEFAULT_PAGE_SIZE = 25;\n"
        "private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);",
        ("java.time.Duration",),
    ),
    Block(
        'private static final List<String> KNOWN_REGIONS = List.of("eu-west", "us-east", "ap-south");\n'
        "\n"
        "private String regionOrDefault(String region) {\n"
        "    return KNOWN_REGIONS.contains(region) ? region : KNOWN_REGIONS.get(0);\n"
        "}",
        ("java.util.List",),
    ),
    Block(
        "private static String slugify(String title) {\n"
        '    return title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");\n'
        "}",
        ("java.util.Locale",),
    ),
    Block(
        "private static boolean isWithinBusinessHours(LocalTime time) {\n"
        "    return !time.isBefore(LocalTime.of(8, 0)) && time.isBefore(LocalTime.of(18, 0));\n"
        "}",
        ("java.time.LocalTime",),
    ),
    Block(
        "private static String describeSize(long bytes) {\n"
        "    if (bytes < 1024) {\n"
        '        return bytes + " B";\n'
        "    }\n"
        '    return (bytes / 1024) + " KiB";\n'
        "}",
    ),
)

CLASS_COMMENTS = (
    "Endpoints for $entity records",
    "Handles $entity requests",
    "Serves $entity data to the web client",
    "Entry point for $entity maintenance",
    "$entity operations used by the back office",
)


def draw(rng: random.Random) -> list[Block]:
    """0-3 distinct blocks (the same for twins: the draw does not look at the label)."""
    count = rng.choice((0, 1, 1, 2, 2, 3))
    return rng.sample(BLOCKS, count)
