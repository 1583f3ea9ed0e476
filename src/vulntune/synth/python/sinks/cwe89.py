"""CWE-89 SQL injection: sqlite3, psycopg2, PyMySQL, SQLAlchemy `text()`, Django `raw` and cursors."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import fix, sink, vocabulary

CWE = "CWE-89"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("username", "email_addr", "status_value", "term", "category_name", "owner_name", "slug_value"),
    constants=("active", "admin", "alice", "pending", "guest", "archived"),
    affixes=(("", "@example.com"), ("user_", ""), ("", "_archived"), ("team-", "")),
    step_comment="# query the database",
)

sink(
    id="sql-string-concat-sqlite-execute",
    cwe=CWE,
    api="sqlite3.Cursor.execute",
    vulnerable="""
    $cur = sqlite3.connect($DB).cursor()
    $query = "SELECT id, $field FROM $table WHERE $field = '" + $value + "'"
    @@$cur.execute($query)
    $rows = $cur.fetchall()
    """,
    fixes=[
        fix(
            id="qmark-parameter",
            code="""
        $cur = sqlite3.connect($DB).cursor()
        $query = "SELECT id, $field FROM $table WHERE $field = ?"
        @@$cur.execute($query, ($value,))
        $rows = $cur.fetchall()
        """,
        ),
        fix(
            id="named-parameter",
            code="""
        $cur = sqlite3.connect($DB).cursor()
        $query = "SELECT id, $field FROM $table WHERE $field = :$field"
        @@$cur.execute($query, {"$field": $value})
        $rows = $cur.fetchall()
        """,
        ),
    ],
    imports=("import sqlite3",),
    prelude='$DB = "$dbfile"',
)

sink(
    id="sql-percent-format-psycopg2-execute",
    cwe=CWE,
    api="psycopg2.extensions.cursor.execute",
    vulnerable="""
    $conn = psycopg2.connect($DSN)
    with $conn.cursor() as $cur:
        @@$cur.execute("SELECT * FROM $table WHERE $field = '%s'" % $value)
        $rows = $cur.fetchall()
    """,
    fixes=[
        fix(
            id="format-parameter",
            code="""
        $conn = psycopg2.connect($DSN)
        with $conn.cursor() as $cur:
            @@$cur.execute("SELECT * FROM $table WHERE $field = %s", ($value,))
            $rows = $cur.fetchall()
        """,
        ),
        fix(
            id="named-format-parameter",
            code="""
        $conn = psycopg2.connect($DSN)
        with $conn.cursor() as $cur:
            @@$cur.execute("SELECT * FROM $table WHERE $field = %($field)s", {"$field": $value})
            $rows = $cur.fetchall()
        """,
        ),
    ],
    imports=("import psycopg2",),
    prelude='$DSN = "dbname=$dbname user=app host=localhost"',
)

sink(
    id="sql-fstring-sqlite-executemany",
    cwe=CWE,
    api="sqlite3.Cursor.executemany",
    vulnerable="""
    $cur = sqlite3.connect($DB).cursor()
    $batch = [(1,), (2,), (3,)]
    @@$cur.executemany(f"UPDATE $table SET $field = '{$value}' WHERE id = ?", $batch)
    """,
    fixes=[
        fix(
            id="qmark-parameters",
            code="""
        $cur = sqlite3.connect($DB).cursor()
        $batch = [($value, 1), ($value, 2), ($value, 3)]
        @@$cur.executemany("UPDATE $table SET $field = ? WHERE id = ?", $batch)
        """,
        ),
    ],
    imports=("import sqlite3",),
    prelude='$DB = "$dbfile"',
)

sink(
    id="sql-str-format-pymysql-execute",
    cwe=CWE,
    api="pymysql.cursors.Cursor.execute",
    vulnerable="""
    $conn = pymysql.connect(host="localhost", user="app", database="$dbname")
    with $conn.cursor() as $cur:
        @@$cur.execute("DELETE FROM $table WHERE $field = '{}'".format($value))
    $conn.commit()
    """,
    fixes=[
        fix(
            id="format-parameter",
            code="""
        $conn = pymysql.connect(host="localhost", user="app", database="$dbname")
        with $conn.cursor() as $cur:
            @@$cur.execute("DELETE FROM $table WHERE $field = %s", ($value,))
        $conn.commit()
        """,
        ),
    ],
    imports=("import pymysql",),
)

sink(
    id="sql-fstring-sqlalchemy-text",
    cwe=CWE,
    api="sqlalchemy.text",
    vulnerable="""
    with $engine.connect() as $conn:
        @@$query = text(f"SELECT * FROM $table WHERE $field = '{$value}'")
        $rows = $conn.execute($query).fetchall()
    """,
    fixes=[
        fix(
            id="bound-parameter",
            code="""
        with $engine.connect() as $conn:
            @@$query = text("SELECT * FROM $table WHERE $field = :$field")
            $rows = $conn.execute($query, {"$field": $value}).fetchall()
        """,
        ),
        fix(
            id="bindparams",
            code="""
        with $engine.connect() as $conn:
            @@$query = text("SELECT * FROM $table WHERE $field = :v").bindparams(v=$value)
            $rows = $conn.execute($query).fetchall()
        """,
        ),
    ],
    imports=("from sqlalchemy import create_engine, text",),
    prelude='$engine = create_engine("sqlite:///$dbfile")',
)

sink(
    id="sql-percent-format-django-raw",
    cwe=CWE,
    api="django.db.models.Manager.raw",
    vulnerable="""
    @@$rows = list($Model.objects.raw("SELECT * FROM ${app_label}_$table WHERE $field = '%s'" % $value))
    """,
    fixes=[
        fix(
            id="params-list",
            code="""
        @@$rows = list($Model.objects.raw("SELECT * FROM ${app_label}_$table WHERE $field = %s", [$value]))
        """,
        ),
    ],
    frameworks=("django",),
    imports=("from $app_label.models import $Model",),
)

sink(
    id="sql-string-concat-django-cursor",
    cwe=CWE,
    api="django.db.backends.utils.CursorWrapper.execute",
    vulnerable="""
    with connection.cursor() as $cur:
        @@$cur.execute("UPDATE ${app_label}_$table SET $field = '" + $value + "' WHERE id = 1")
    """,
    fixes=[
        fix(
            id="params-list",
            code="""
        with connection.cursor() as $cur:
            @@$cur.execute("UPDATE ${app_label}_$table SET $field = %s WHERE id = %s", [$value, 1])
        """,
        ),
    ],
    frameworks=("django",),
    imports=("from django.db import connection",),
)

sink(
    id="sql-fstring-django-raw",
    cwe=CWE,
    api="django.db.models.Manager.raw",
    vulnerable="""
    $query = f"SELECT * FROM ${app_label}_$table WHERE $field = '{$value}'"
    @@$rows = list($Model.objects.raw($query))
    """,
    fixes=[
        fix(
            id="raw-params",
            code="""
        $query = "SELECT * FROM ${app_label}_$table WHERE $field = %s"
        @@$rows = list($Model.objects.raw($query, [$value]))
        """,
        ),
    ],
    frameworks=("django",),
    imports=("from $app_label.models import $Model",),
)

sink(
    id="sql-fstring-django-extra-where",
    cwe=CWE,
    api="django.db.models.QuerySet.extra",
    vulnerable="""
    @@$rows = list($Model.objects.extra(where=[f"$field = '{$value}'"]))
    """,
    fixes=[
        fix(
            id="extra-params",
            code="""
        @@$rows = list($Model.objects.extra(where=["$field = %s"], params=[$value]))
        """,
        ),
        fix(
            id="orm-filter",
            code="""
        @@$rows = list($Model.objects.filter($field=$value))
        """,
        ),
    ],
    frameworks=("django",),
    imports=("from $app_label.models import $Model",),
)
