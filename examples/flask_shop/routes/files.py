"""Invoice and receipt downloads."""

import os

from flask import Blueprint, abort, current_app, request, send_file

files_bp = Blueprint("files", __name__)


@files_bp.get("/invoice")
def download_invoice():
    """Send an invoice PDF by file name."""
    filename = request.args.get("name", "")
    path = os.path.join(current_app.config["INVOICE_DIR"], filename)
    if not os.path.isfile(path):
        abort(404)
    return send_file(path, mimetype="application/pdf", as_attachment=True)


@files_bp.get("/receipt")
def download_receipt():
    """Send a receipt PDF by file name, restricted to the receipt directory."""
    base = os.path.realpath(current_app.config["RECEIPT_DIR"])
    path = os.path.realpath(os.path.join(base, request.args.get("name", "")))
    if os.path.commonpath([base, path]) != base or not os.path.isfile(path):
        abort(404)
    return send_file(path, mimetype="application/pdf", as_attachment=True)
