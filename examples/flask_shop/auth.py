"""Login, logout and password-reset endpoints."""

import secrets
from datetime import datetime, timedelta, timezone

from flask import Blueprint, abort, redirect, request, session, url_for

from flask_shop.db import get_db
from flask_shop.utils import verify_password

auth_bp = Blueprint("auth", __name__)

RESET_TOKEN_TTL = timedelta(hours=1)


@auth_bp.post("/login")
def login():
    """Authenticate a customer by email and password and start a session."""
    email = request.form.get("email", "").strip().lower()
    password = request.form.get("password", "")
    row = get_db().execute(
        "SELECT id, password_salt, password_hash FROM customers WHERE email = ?", (email,)
    ).fetchone()
    if row is None or not verify_password(password, row["password_salt"], row["password_hash"]):
        abort(401)
    session.clear()
    session["customer_id"] = row["id"]
    return redirect(url_for("orders.list_orders"))


@auth_bp.post("/logout")
def logout():
    """End the current session and return to the login page."""
    session.clear()
    return redirect(url_for("auth.login"))


def generate_reset_token(customer_id):
    """Create and store a single-use password-reset token for a customer."""
    token = secrets.token_urlsafe(32)
    expires = datetime.now(timezone.utc) + RESET_TOKEN_TTL
    db = get_db()
    db.execute(
        "INSERT INTO password_resets (customer_id, token, expires_at) VALUES (?, ?, ?)",
        (customer_id, token, expires.isoformat()),
    )
    db.commit()
    return token
