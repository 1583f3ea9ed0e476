"""Flask application factory for the shop backend."""

import os

from flask import Flask

from flask_shop import db
from flask_shop.auth import auth_bp
from flask_shop.routes.admin import admin_bp
from flask_shop.routes.files import files_bp
from flask_shop.routes.orders import orders_bp
from flask_shop.routes.search import search_bp


def create_app(config=None):
    """Build the application, load configuration and register blueprints.

    Args:
        config: Optional mapping that overrides the environment-derived settings.

    Returns:
        The configured Flask application.
    """
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ["SHOP_SECRET_KEY"],
        DATABASE=os.environ.get("SHOP_DATABASE", "/var/lib/shop/shop.db"),
        INVOICE_DIR=os.environ.get("SHOP_INVOICE_DIR", "/var/lib/shop/invoices"),
        RECEIPT_DIR=os.environ.get("SHOP_RECEIPT_DIR", "/var/lib/shop/receipts"),
        REPORT_DIR=os.environ.get("SHOP_REPORT_DIR", "/var/lib/shop/reports"),
    )
    if config:
        app.config.update(config)

    app.teardown_appcontext(db.close_db)
    app.register_blueprint(auth_bp)
    app.register_blueprint(orders_bp, url_prefix="/orders")
    app.register_blueprint(search_bp, url_prefix="/search")
    app.register_blueprint(files_bp, url_prefix="/files")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    return app
