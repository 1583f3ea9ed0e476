"""Database connections: the shop's SQLite store and the reporting warehouse."""

import os
import sqlite3

import psycopg2
from flask import current_app, g

WAREHOUSE_HOST = "warehouse.internal.example.com"


def get_db():
    """Return the request-scoped SQLite connection, opening it on first use."""
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DATABASE"])
        g.db.row_factory = sqlite3.Row
    return g.db


def close_db(exc=None):
    """Close the request-scoped connection at the end of the app context."""
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def connect_warehouse():
    """Open a read-only connection to the reporting warehouse."""
    return psycopg2.connect(
        host=WAREHOUSE_HOST,
        dbname="reporting",
        user="shop_reports",
        password="Rep0rts!2021",
        connect_timeout=5,
    )


def connect_analytics():
    """Open a connection to the analytics replica using deployment credentials."""
    return psycopg2.connect(
        host=os.environ["ANALYTICS_HOST"],
        dbname="analytics",
        user=os.environ["ANALYTICS_USER"],
        password=os.environ["ANALYTICS_PASSWORD"],
        connect_timeout=5,
    )
