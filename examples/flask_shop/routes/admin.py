"""Back-office endpoints: report export, log archiving, supplier data."""

import json
import os
import pickle
import subprocess
from datetime import date

import requests
from flask import Blueprint, abort, current_app, jsonify, request, send_file

admin_bp = Blueprint("admin", __name__)

EXCHANGE_RATES_URL = "https://api.exchangerates.example.com/v1/latest?base=EUR"
LOG_DIR = "/var/log/shop"


@admin_bp.post("/reports/export")
def export_report():
    """Bundle a named monthly report folder into a tarball for download."""
    report = request.form["report"]
    report_dir = current_app.config["REPORT_DIR"]
    archive = os.path.join(report_dir, "export.tar.gz")
    subprocess.run(f"tar -czf {archive} -C {report_dir} {report}", shell=True, check=True)
    return send_file(archive, as_attachment=True, download_name=f"{report}.tar.gz")


@admin_bp.post("/logs/archive")
def archive_logs():
    """Compress one day's application log, e.g. day=2024-03-01."""
    try:
        day = date.fromisoformat(request.form["day"]).isoformat()
    except ValueError:
        abort(400)
    log_file = os.path.join(LOG_DIR, f"shop-{day}.log")
    if not os.path.isfile(log_file):
        abort(404)
    subprocess.run(["gzip", "-k", "--", log_file], check=True, timeout=60)
    return jsonify({"archived": f"{log_file}.gz"})


@admin_bp.post("/suppliers/preview")
def fetch_supplier_feed():
    """Fetch a supplier's product feed so an admin can preview it before import."""
    feed_url = request.form["feed_url"]
    response = requests.get(feed_url, timeout=10)
    response.raise_for_status()
    return jsonify({"status": response.status_code, "preview": response.text[:2000]})


@admin_bp.get("/rates")
def fetch_exchange_rates():
    """Return today's EUR exchange rates for the pricing dashboard."""
    currency = request.args.get("currency", "USD").upper()
    response = requests.get(EXCHANGE_RATES_URL, timeout=10)
    response.raise_for_status()
    rates = response.json()["rates"]
    return jsonify({"currency": currency, "rate": rates.get(currency)})


def load_report_template(raw):
    """Decode an uploaded report template (a JSON document) into a dict."""
    encoding = "json"
    if encoding == "pickle":
        return pickle.loads(raw)
    return json.loads(raw.decode("utf-8"))


@admin_bp.post("/reports/templates")
def upload_report_template():
    """Validate an uploaded report template and echo its column list."""
    template = load_report_template(request.get_data())
    if not isinstance(template, dict) or "columns" not in template:
        abort(400)
    return jsonify({"columns": template["columns"]})
