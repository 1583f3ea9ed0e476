"""CWE-89 SQL injection: sqlite3, psycopg2, PyMySQL, SQLAlchemy `text()`, Django `raw` and cursors."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import fix, sink
from vulntune.synth.template import REGISTRY

CWE = "CWE-89"

SINKS = [
    sink(
        "sql-string-concat-sqlite-execute",
        CWE,
        "sqlite3.Cursor.execute",
        """
        $cur = sqlite3.connect($DB).cursor()
        $query = "SELECT id, $field FROM $table WHERE $field = '" + $value + "'"
        @@$cur.execute($query)
        $rows = $cur.fetchall()
        """,
        [
            fix(
                "qmark-parameter",
                """
            $cur = sqlite3.connect($DB).cursor()
            $query = "SELECT id, $field FROM $table WHERE $field = ?"
            @@$cur.execute($query, ($value,))
            $rows = $cur.fetchall()
            """,
            ),
            fix(
                "named-parameter",
                """
            $cur = sqlite3.connect($DB).cursor()
            $query = "SELECT id, $field FROM $table WHERE $field = :$field"
            @@$cur.execute($query, {"$field": $value})
            $rows = $cur.fetchall()
            """,
            ),
        ],
        imports=("import sqlite3",),
        prelude='$DB = "$dbfile"',
    ),
    sink(
        "sql-percent-format-psycopg2-execute",
        CWE,
        "psycopg2.extensions.cursor.execute",
        """
        $conn = psycopg2.connect($DSN)
        with $conn.cursor() as $cur:
            @@$cur.execute("SELECT * FROM $table WHERE $field = '%s'" % $value)
            $rows = $cur.fetchall()
        """,
        [
            fix(
                "format-parameter",
                """
            $conn = psycopg2.connect($DSN)
            with $conn.cursor() as $cur:
                @@$cur.execute("SELECT * FROM $table WHERE $field = %s", ($value,))
                $rows = $cur.fetchall()
            """,
            ),
            fix(
                "named-format-parameter",
                """
            $conn = psycopg2.connect($DSN)
            with $conn.cursor() as $cur:
                @@$cur.execute("SELECT * FROM $table WHERE $field = %($field)s", {"$field": $value})
                $rows = $cur.fetchall()
            """,
            ),
        ],
        imports=("import psycopg2",),
        prelude='$DSN = "dbname=$dbname user=app host=localhost"',
    ),
    sink(
        "sql-fstring-sqlite-executemany",
        CWE,
        "sqlite3.Cursor.executemany",
        """
        $cur = sqlite3.connect($DB).cursor()
        $batch = [(1,), (2,), (3,)]
        @@$cur.executemany(f"UPDATE $table SET $field = '{$value}' WHERE id = ?", $batch)
        """,
        [
            fix(
                "qmark-parameters",
                """
            $cur = sqlite3.connect($DB).cursor()
            $batch = [($value, 1), ($value, 2), ($value, 3)]
            @@$cur.executemany("UPDATE $table SET $field = ? WHERE id = ?", $batch)
            """,
            ),
        ],
        imports=("import sqlite3",),
        prelude='$DB = "$dbfile"',
    ),
    sink(
        "sql-str-format-pymysql-execute",
        CWE,
        "pymysql.cursors.Cursor.execute",
        """
        $conn = pymysql.connect(host="localhost", user="app", database="$dbname")
        with $conn.cursor() as $cur:
            @@$cur.execute("DELETE FROM $table WHERE $field = '{}'".format($value))
        $conn.commit()
        """,
        [
            fix(
                "format-parameter",
                """
            $conn = pymysql.connect(host="localhost", user="app", database="$dbname")
            with $conn.cursor() as $cur:
                @@$cur.execute("DELETE FROM $table WHERE $field = %s", ($value,))
            $conn.commit()
            """,
            ),
        ],
        imports=("import pymysql",),
    ),
    sink(
        "sql-fstring-sqlalchemy-text",
        CWE,
        "sqlalchemy.text",
        """
        with $engine.connect() as $conn:
            @@$query = text(f"SELECT * FROM $table WHERE $field = '{$value}'")
            $rows = $conn.execute($query).fetchall()
        """,
        [
            fix(
                "bound-parameter",
                """
            with $engine.connect() as $conn:
                @@$query = text("SELECT * FROM $table WHERE $field = :$field")
                $rows = $conn.execute($query, {"$field": $value}).fetchall()
            """,
            ),
            fix(
                "bindparams",
                """
            with $engine.connect() as $conn:
                @@$query = text("SELECT * FROM $table WHERE $field = :v").bindparams(v=$value)
                $rows = $conn.execute($query).fetchall()
            """,
            ),
        ],
        imports=("from sqlalchemy import create_engine, text",),
        prelude='$engine = create_engine("sqlite:///$dbfile")',
    ),
    sink(
        "sql-percent-format-django-raw",
        CWE,
        "django.db.models.Manager.raw",
        """
        @@$rows = list($Model.objects.raw("SELECT * FROM ${app_label}_$table WHERE $field = '%s'" % $value))
        """,
        [
            fix(
                "params-list",
                """
            @@$rows = list($Model.objects.raw("SELECT * FROM ${app_label}_$table WHERE $field = %s", [$value]))
            """,
            ),
        ],
        frameworks=("django",),
        imports=("from $app_label.models import $Model",),
    ),
    sink(
        "sql-string-concat-django-cursor",
        CWE,
        "django.db.backends.utils.CursorWrapper.execute",
        """
        with connection.cursor() as $cur:
            @@$cur.execute("UPDATE ${app_label}_$table SET $field = '" + $value + "' WHERE id = 1")
        """,
        [
            fix(
                "params-list",
                """
            with connection.cursor() as $cur:
                @@$cur.execute("UPDATE ${app_label}_$table SET $field = %s WHERE id = %s", [$value, 1])
            """,
            ),
        ],
        frameworks=("django",),
        imports=("from django.db import connection",),
    ),
    sink(
        "sql-fstring-django-raw",
        CWE,
        "django.db.models.Manager.raw",
        """
        $query = f"SELECT * FROM ${app_label}_$table WHERE $field = '{$value}'"
        @@$rows = list($Model.objects.raw($query))
        """,
        [
            fix(
                "raw-params",
                """
            $query = "SELECT * FROM ${app_label}_$table WHERE $field = %s"
            @@$rows = list($Model.objects.raw($query, [$value]))
            """,
            ),
        ],
        frameworks=("django",),
        imports=("from $app_label.models import $Model",),
    ),
    sink(
        "sql-fstring-django-extra-where",
        CWE,
        "django.db.models.QuerySet.extra",
        """
        @@$rows = list($Model.objects.extra(where=[f"$field = '{$value}'"]))
        """,
        [
            fix(
                "extra-params",
                """
            @@$rows = list($Model.objects.extra(where=["$field = %s"], params=[$value]))
            """,
            ),
            fix(
                "orm-filter",
                """
            @@$rows = list($Model.objects.filter($field=$value))
            """,
            ),
        ],
        frameworks=("django",),
        imports=("from $app_label.models import $Model",),
    ),
]

REGISTRY.register_all(SINKS)
