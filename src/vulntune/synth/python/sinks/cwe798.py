"""CWE-798 hard-coded credentials: passwords, API keys and database URIs in the code. Fixes read
them from the environment or a secret store."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import fix, sink, vocabulary

CWE = "CWE-798"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("username", "recipient", "object_key", "email_addr", "account_ref", "lookup_id"),
    constants=("admin", "reports", "alerts@example.com", "service", "default"),
    affixes=(("", "@example.com"), ("reports/", "")),
    step_comment="# connect to the service",
)

_OS = ("import os",)

sink(
    id="hard-coded-password-psycopg2-connect",
    cwe=CWE,
    api="psycopg2.connect",
    vulnerable="""
    @@$conn = psycopg2.connect(host="db.$domain", dbname="$dbname", user="app", password="$secret")
    $cur = $conn.cursor()
    $cur.execute("SELECT id FROM $table WHERE $field = %s", ($value,))
    """,
    fixes=[
        fix(
            id="environment",
            code="""
        @@$conn = psycopg2.connect(host="db.$domain", dbname="$dbname", user="app", password=os.environ["DB_PASSWORD"])
        $cur = $conn.cursor()
        $cur.execute("SELECT id FROM $table WHERE $field = %s", ($value,))
        """,
            imports=_OS,
        ),
        fix(
            id="keyring",
            code="""
        @@$conn = psycopg2.connect(host="db.$domain", dbname="$dbname", user="app", password=keyring.get_password("$dbname", "app"))
        $cur = $conn.cursor()
        $cur.execute("SELECT id FROM $table WHERE $field = %s", ($value,))
        """,
            imports=("import keyring",),
        ),
    ],
    imports=("import psycopg2",),
)

sink(
    id="hard-coded-api-key-requests",
    cwe=CWE,
    api="requests.get",
    vulnerable="""
    @@$resp = requests.get("https://api.$domain/v1/$entities", params={"q": $value}, headers={"Authorization": "Bearer $apikey"}, timeout=10)
    """,
    fixes=[
        fix(
            id="environment",
            code="""
        @@$resp = requests.get("https://api.$domain/v1/$entities", params={"q": $value}, headers={"Authorization": "Bearer " + os.environ["API_TOKEN"]}, timeout=10)
        """,
            imports=_OS,
        ),
    ],
    imports=("import requests",),
)

sink(
    id="hard-coded-password-smtp-login",
    cwe=CWE,
    api="smtplib.SMTP.login",
    vulnerable="""
    $smtp = smtplib.SMTP("smtp.$domain", 587)
    $smtp.starttls()
    @@$smtp.login("noreply@$domain", "$secret")
    $smtp.sendmail("noreply@$domain", [$value], "Subject: update")
    """,
    fixes=[
        fix(
            id="environment",
            code="""
        $smtp = smtplib.SMTP("smtp.$domain", 587)
        $smtp.starttls()
        @@$smtp.login(os.environ["SMTP_USER"], os.environ["SMTP_PASSWORD"])
        $smtp.sendmail("noreply@$domain", [$value], "Subject: update")
        """,
            imports=_OS,
        ),
    ],
    imports=("import smtplib",),
)

sink(
    id="hard-coded-password-database-uri",
    cwe=CWE,
    api="sqlalchemy.create_engine",
    vulnerable="""
    @@$engine = create_engine("postgresql://app:$secret@db.$domain/$dbname")
    with $engine.connect() as $conn:
        $rows = $conn.execute(text("SELECT id FROM $table WHERE $field = :v"), {"v": $value}).fetchall()
    """,
    fixes=[
        fix(
            id="environment",
            code="""
        @@$engine = create_engine(os.environ["DATABASE_URL"])
        with $engine.connect() as $conn:
            $rows = $conn.execute(text("SELECT id FROM $table WHERE $field = :v"), {"v": $value}).fetchall()
        """,
            imports=_OS,
        ),
    ],
    imports=("from sqlalchemy import create_engine, text",),
)

sink(
    id="hard-coded-access-key-boto3-client",
    cwe=CWE,
    api="boto3.client",
    vulnerable="""
    @@$client = boto3.client("s3", aws_access_key_id="$keyid", aws_secret_access_key="$apikey")
    $obj = $client.get_object(Bucket="$entity-data", Key=$value)
    """,
    fixes=[
        fix(
            id="credential-chain",
            code="""
        @@$client = boto3.client("s3", region_name=os.environ.get("AWS_REGION", "eu-west-1"))
        $obj = $client.get_object(Bucket="$entity-data", Key=$value)
        """,
            imports=_OS,
        ),
    ],
    imports=("import boto3",),
)

sink(
    id="hard-coded-password-ldap3-bind",
    cwe=CWE,
    api="ldap3.Connection",
    vulnerable="""
    @@$ldap_conn = Connection(Server("$ldaphost"), user="cn=admin,$basedn", password="$secret", auto_bind=True)
    $ldap_conn.search("$basedn", "(uid=" + escape_filter_chars($value) + ")")
    """,
    fixes=[
        fix(
            id="environment",
            code="""
        @@$ldap_conn = Connection(Server("$ldaphost"), user="cn=admin,$basedn", password=os.environ["LDAP_PASSWORD"], auto_bind=True)
        $ldap_conn.search("$basedn", "(uid=" + escape_filter_chars($value) + ")")
        """,
            imports=_OS,
        ),
    ],
    imports=("from ldap3 import Connection, Server", "from ldap3.utils.conv import escape_filter_chars"),
)
