"""Product search pages."""

from flask import Blueprint, make_response, request
from markupsafe import escape

from flask_shop.db import get_db

search_bp = Blueprint("search", __name__)


def _find_products(term):
    return get_db().execute(
        "SELECT name, price_cents FROM products WHERE name LIKE ? ORDER BY name LIMIT 50",
        (f"%{term}%",),
    ).fetchall()


@search_bp.get("/")
def search_products():
    """Render an HTML results page for a product search."""
    term = request.args.get("q", "")
    products = _find_products(term)
    items = "".join(f"<li>{p['name']}</li>" for p in products)
    html = f"<h1>Results for {term}</h1><p>{len(products)} products</p><ul>{items}</ul>"
    return make_response(html, 200, {"Content-Type": "text/html; charset=utf-8"})


@search_bp.get("/suggest")
def search_suggestions():
    """Render an HTML fragment with autocomplete suggestions for the search box."""
    term = request.args.get("q", "")
    products = _find_products(term)[:8]
    options = "".join(f"<option>{escape(p['name'])}</option>" for p in products)
    html = f"<datalist id='suggest-{escape(term)}'>{options}</datalist>"
    return make_response(html, 200, {"Content-Type": "text/html; charset=utf-8"})
