"""CWE-798 hard-coded credentials: passwords, API keys and database URIs in the code. Fixes read
them from the environment or a secret store."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import NON_TAINT, fix, sink
from vulntune.synth.template import REGISTRY

CWE = "CWE-798"
_OS = ("import os",)

SINKS = [
    sink(
        "hard-coded-password-psycopg2-connect",
        CWE,
        "psycopg2.connect",
        """
        @@$conn = psycopg2.connect(host="db.$domain", dbname="$dbname", user="app", password="$secret")
        $cur = $conn.cursor()
        $cur.execute("SELECT id FROM $table WHERE $field = %s", ($value,))
        """,
        [
            fix(
                "environment",
                """
            @@$conn = psycopg2.connect(host="db.$domain", dbname="$dbname", user="app", password=os.environ["DB_PASSWORD"])
            $cur = $conn.cursor()
            $cur.execute("SELECT id FROM $table WHERE $field = %s", ($value,))
            """,
                imports=_OS,
            ),
            fix(
                "keyring",
                """
            @@$conn = psycopg2.connect(host="db.$domain", dbname="$dbname", user="app", password=keyring.get_password("$dbname", "app"))
            $cur = $conn.cursor()
            $cur.execute("SELECT id FROM $table WHERE $field = %s", ($value,))
            """,
                imports=("import keyring",),
            ),
        ],
        safe_kinds=NON_TAINT,
        imports=("import psycopg2",),
    ),
    sink(
        "hard-coded-api-key-requests",
        CWE,
        "requests.get",
        """
        @@$resp = requests.get("https://api.$domain/v1/$entities", params={"q": $value}, headers={"Authorization": "Bearer $apikey"}, timeout=10)
        """,
        [
            fix(
                "environment",
                """
            @@$resp = requests.get("https://api.$domain/v1/$entities", params={"q": $value}, headers={"Authorization": "Bearer " + os.environ["API_TOKEN"]}, timeout=10)
            """,
                imports=_OS,
            ),
        ],
        safe_kinds=NON_TAINT,
        imports=("import requests",),
    ),
    sink(
        "hard-coded-password-smtp-login",
        CWE,
        "smtplib.SMTP.login",
        """
        $smtp = smtplib.SMTP("smtp.$domain", 587)
        $smtp.starttls()
        @@$smtp.login("noreply@$domain", "$secret")
        $smtp.sendmail("noreply@$domain", [$value], "Subject: update")
        """,
        [
            fix(
                "environment",
                """
            $smtp = smtplib.SMTP("smtp.$domain", 587)
            $smtp.starttls()
            @@$smtp.login(os.environ["SMTP_USER"], os.environ["SMTP_PASSWORD"])
            $smtp.sendmail("noreply@$domain", [$value], "Subject: update")
            """,
                imports=_OS,
            ),
        ],
        safe_kinds=NON_TAINT,
        imports=("import smtplib",),
    ),
    sink(
        "hard-coded-password-database-uri",
        CWE,
        "sqlalchemy.create_engine",
        """
        @@$engine = create_engine("postgresql://app:$secret@db.$domain/$dbname")
        with $engine.connect() as $conn:
            $rows = $conn.execute(text("SELECT id FROM $table WHERE $field = :v"), {"v": $value}).fetchall()
        """,
        [
            fix(
                "environment",
                """
            @@$engine = create_engine(os.environ["DATABASE_URL"])
            with $engine.connect() as $conn:
                $rows = $conn.execute(text("SELECT id FROM $table WHERE $field = :v"), {"v": $value}).fetchall()
            """,
                imports=_OS,
            ),
        ],
        safe_kinds=NON_TAINT,
        imports=("from sqlalchemy import create_engine, text",),
    ),
    sink(
        "hard-coded-access-key-boto3-client",
        CWE,
        "boto3.client",
        """
        @@$client = boto3.client("s3", aws_access_key_id="$keyid", aws_secret_access_key="$apikey")
        $obj = $client.get_object(Bucket="$entity-data", Key=$value)
        """,
        [
            fix(
                "credential-chain",
                """
            @@$client = boto3.client("s3", region_name=os.environ.get("AWS_REGION", "eu-west-1"))
            $obj = $client.get_object(Bucket="$entity-data", Key=$value)
            """,
                imports=_OS,
            ),
        ],
        safe_kinds=NON_TAINT,
        imports=("import boto3",),
    ),
    sink(
        "hard-coded-password-ldap3-bind",
        CWE,
        "ldap3.Connection",
        """
        @@$ldap_conn = Connection(Server("$ldaphost"), user="cn=admin,$basedn", password="$secret", auto_bind=True)
        $ldap_conn.search("$basedn", "(uid=" + escape_filter_chars($value) + ")")
        """,
        [
            fix(
                "environment",
                """
            @@$ldap_conn = Connection(Server("$ldaphost"), user="cn=admin,$basedn", password=os.environ["LDAP_PASSWORD"], auto_bind=True)
            $ldap_conn.search("$basedn", "(uid=" + escape_filter_chars($value) + ")")
            """,
                imports=_OS,
            ),
        ],
        safe_kinds=NON_TAINT,
        imports=("from ldap3 import Connection, Server", "from ldap3.utils.conv import escape_filter_chars"),
    ),
]

REGISTRY.register_all(SINKS)
