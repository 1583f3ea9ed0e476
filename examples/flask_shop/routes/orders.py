"""Order lookup and history endpoints."""

from flask import Blueprint, abort, jsonify, request, session

from flask_shop.db import get_db

orders_bp = Blueprint("orders", __name__)

ORDER_COLUMNS = "id, customer_id, status, total_cents, created_at"


@orders_bp.get("/")
def list_orders():
    """List the signed-in customer's orders, newest first."""
    rows = get_db().execute(
        f"SELECT {ORDER_COLUMNS} FROM orders WHERE customer_id = ? ORDER BY created_at DESC",
        (session["customer_id"],),
    ).fetchall()
    return jsonify([dict(row) for row in rows])


@orders_bp.get("/search")
def search_orders():
    """Find orders whose shipping name matches the query string."""
    name = request.args.get("name", "")
    query = (
        f"SELECT {ORDER_COLUMNS} FROM orders "
        f"WHERE shipping_name LIKE '%{name}%' ORDER BY created_at DESC"
    )
    rows = get_db().execute(query).fetchall()
    return jsonify([dict(row) for row in rows])


@orders_bp.get("/<int:order_id>")
def get_order(order_id):
    """Return a single order belonging to the signed-in customer."""
    row = get_db().execute(
        f"SELECT {ORDER_COLUMNS} FROM orders WHERE id = ? AND customer_id = ?",
        (order_id, session["customer_id"]),
    ).fetchone()
    if row is None:
        abort(404)
    return jsonify(dict(row))


@orders_bp.get("/recent")
def recent_orders():
    """Return the most recent orders across the shop for the dashboard."""
    limit = request.args.get("limit", "25")
    limit = min(int(limit), 100)
    rows = get_db().execute(
        f"SELECT {ORDER_COLUMNS} FROM orders ORDER BY created_at DESC LIMIT {limit}"
    ).fetchall()
    return jsonify([dict(row) for row in rows])
