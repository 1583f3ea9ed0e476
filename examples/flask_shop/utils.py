"""Small helpers shared by the shop routes."""

import hashlib
import hmac
import os
from decimal import ROUND_HALF_UP, Decimal

PBKDF2_ROUNDS = 600_000


def format_price(cents, currency="EUR"):
    """Format an integer amount of cents as a display price, e.g. 1999 -> '19.99 EUR'."""
    amount = (Decimal(cents) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{amount} {currency}"


def paginate(items, page, per_page=20):
    """Return one page of `items` (pages start at 1) and the total page count."""
    page = max(int(page), 1)
    total_pages = max((len(items) + per_page - 1) // per_page, 1)
    start = (page - 1) * per_page
    return items[start:start + per_page], total_pages


def hash_password(password, salt=None):
    """Derive a storable password hash; returns (salt, digest) as hex strings."""
    salt = salt or os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, PBKDF2_ROUNDS)
    return salt.hex(), digest.hex()


def verify_password(password, salt_hex, digest_hex):
    """Check a password against a stored (salt, digest) pair in constant time."""
    _, digest = hash_password(password, bytes.fromhex(salt_hex))
    return hmac.compare_digest(digest, digest_hex)
