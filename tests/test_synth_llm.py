"""The language-model generator against a scripted OpenAI-compatible server on 127.0.0.1.

No network and no model: the server answers from hand-written twin pairs (or from a script of
failures), so every check, retry, cache and count can be asserted exactly.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from vulntune.cli import main
from vulntune.errors import VulntuneError
from vulntune.synth.config import SynthConfig
from vulntune.synth.llm import client as client_module
from vulntune.synth.llm.answer import read_answer
from vulntune.synth.llm.cache import AnswerCache
from vulntune.synth.llm.check import changed_lines, check_pair, java_unit
from vulntune.synth.llm.client import ChatClient, chat_url, display_url
from vulntune.synth.llm.prompts import make_prompt
from vulntune.synth.pipeline import _config_mapping, build_corpus, synthesize

PY_SQL_VULNERABLE = """import sqlite3

from flask import Flask, request

app = Flask(__name__)


@app.route("/orders")
def list_orders():
    customer = request.args.get("customer", "")
    conn = sqlite3.connect("shop.db")
    try:
        rows = conn.execute(f"SELECT id, total FROM orders WHERE customer = '{customer}'").fetchall()
    finally:
        conn.close()
    return {"orders": [{"id": r[0], "total": r[1]} for r in rows]}
"""
PY_SQL_SAFE = PY_SQL_VULNERABLE.replace(
    """conn.execute(f"SELECT id, total FROM orders WHERE customer = '{customer}'")""",
    """conn.execute("SELECT id, total FROM orders WHERE customer = ?", (customer,))""",
)
PY_CMD_VULNERABLE = """import os
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/ping")
def ping():
    host = request.args.get("host", "localhost")
    if not host:
        return {"error": "missing host"}, 400
    status = os.system("ping -c 1 " + host)
    return {"host": host, "status": status}
"""
PY_CMD_SAFE = PY_CMD_VULNERABLE.replace(
    'status = os.system("ping -c 1 " + host)', 'status = subprocess.call(["ping", "-c", "1", host])'
)
JAVA_SQL_VULNERABLE = """import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

public class AccountServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String owner = req.getParameter("owner");
        try (Connection conn = DriverManager.getConnection("jdbc:h2:mem:bank")) {
            Statement stmt = conn.createStatement();
            ResultSet rs = stmt.executeQuery("SELECT balance FROM accounts WHERE owner = '" + owner + "'");
            while (rs.next()) {
                resp.getWriter().println(rs.getLong(1));
            }
        } catch (SQLException e) {
            resp.sendError(500);
        }
    }
}
"""
JAVA_SQL_SAFE = JAVA_SQL_VULNERABLE.replace(
    """            Statement stmt = conn.createStatement();
            ResultSet rs = stmt.executeQuery("SELECT balance FROM accounts WHERE owner = '" + owner + "'");
""",
    """            PreparedStatement stmt = conn.prepareStatement("SELECT balance FROM accounts WHERE owner = ?");
            stmt.setString(1, owner);
            ResultSet rs = stmt.executeQuery();
""",
)
GOOD = {
    ("Python", "CWE-89"): (PY_SQL_VULNERABLE, PY_SQL_SAFE),
    ("Python", "CWE-78"): (PY_CMD_VULNERABLE, PY_CMD_SAFE),
    ("Java", "CWE-89"): (JAVA_SQL_VULNERABLE, JAVA_SQL_SAFE),
}
SECRET = "sk-test-0123456789-do-not-leak"


def as_json(pair: tuple[str, str]) -> str:
    return json.dumps({"vulnerable": pair[0], "safe": pair[1]})


class FakeServer:
    """Scripted answers first (one per request), then the good pair for the prompt's language and CWE.

    Script items: ("content", text) an answer, ("status", code) an HTTP error, ("hang", seconds)
    no answer in time, ("raw", text) a body that is not a chat completion.
    """

    def __init__(self) -> None:
        self.script: list[tuple[str, object]] = []
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.reject_response_format = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                server.headers.append(dict(self.headers))
                if server.reject_response_format and "response_format" in body:
                    return self._send(400, {"error": {"message": "response_format is not supported"}})
                kind, value = server.script.pop(0) if server.script else ("content", server.good(body))
                if kind == "status":
                    return self._send(int(value), {"error": {"message": f"scripted {value}"}})
                if kind == "hang":
                    time.sleep(float(value))
                    value = server.good(body)
                if kind == "raw":
                    return self._send(200, None, raw=str(value))
                self._send(200, {"choices": [{"index": 0, "message": {"role": "assistant", "content": value}}]})

            def _send(self, code: int, payload, raw: str | None = None) -> None:
                data = (raw if raw is not None else json.dumps(payload)).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    if code == 429:
                        self.send_header("Retry-After", "0")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                    pass

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    @staticmethod
    def good(body: dict) -> str:
        user = body["messages"][-1]["content"]
        language = "Java" if user.startswith("Write a Java") else "Python"
        cwe = re.search(r"CWE-\d+", user).group(0)
        return as_json(GOOD[(language, cwe)])


@pytest.fixture
def server():
    fake = FakeServer()
    yield fake
    fake.httpd.shutdown()
    fake.httpd.server_close()


def llm_config(server: FakeServer, tmp_path: Path, **overrides) -> SynthConfig:
    settings = dict(
        languages=("python",),
        cwes=("CWE-89",),
        per_cwe=2,
        javac=False,
        generator="llm",
        endpoint=server.url,
        model="fake-coder",
        cache_dir=tmp_path / "cache",
        request_timeout=5.0,
    )
    settings.update(overrides)
    return SynthConfig(**settings)


def all_samples(splits):
    return [s for name in ("train", "validation", "test") for s in splits[name]]


def test_good_pairs_become_twin_samples_with_provenance(server, tmp_path):
    splits, summary = build_corpus(llm_config(server, tmp_path, cwes=("CWE-89", "CWE-78")))
    samples = sorted(all_samples(splits), key=lambda s: (s.cwe, s.label))
    assert [(s.cwe, s.label) for s in samples] == [
        ("CWE-78", "safe"),
        ("CWE-78", "vulnerable"),
        ("CWE-89", "safe"),
        ("CWE-89", "vulnerable"),
    ]
    by_key = {(s.cwe, s.label): s for s in samples}
    assert by_key[("CWE-89", "vulnerable")].code == PY_SQL_VULNERABLE
    assert by_key[("CWE-89", "safe")].code == PY_SQL_SAFE
    assert by_key[("CWE-89", "vulnerable")].sink_line == 13
    assert by_key[("CWE-78", "vulnerable")].sink_line == 14
    for s in samples:
        assert s.meta["generator"] == "llm:fake-coder"
        assert re.fullmatch(r"[0-9a-f]{64}", s.meta["prompt_sha256"])
        assert s.family.startswith(f"llm:{s.cwe}:python-")
        assert s.safe_kind == (None if s.label == "vulnerable" else "fix")  # attempt 0 asks for a fix
    assert by_key[("CWE-89", "safe")].pair_id == by_key[("CWE-89", "vulnerable")].pair_id
    report = summary["llm"]
    assert report["pairs_accepted"] == 2 and report["answers_checked"] == 2
    assert set(report["dropped"].values()) == {0}
    assert summary["config"]["generator"] == "llm" and "cache_dir" not in summary["config"]
    request = server.requests[0]
    assert request["model"] == "fake-coder" and request["response_format"] == {"type": "json_object"}
    assert [m["role"] for m in request["messages"]] == ["system", "user"]


@pytest.mark.skipif(shutil.which("javac") is None, reason="javac not on the PATH")
def test_java_pair_compiles_with_javac(server, tmp_path):
    splits, summary = build_corpus(llm_config(server, tmp_path, languages=("java",), javac=True))
    samples = all_samples(splits)
    assert {s.label for s in samples} == {"vulnerable", "safe"}
    assert next(s for s in samples if s.label == "vulnerable").sink_line == 18
    assert summary["llm"]["javac_files"] == {"passed": 2, "missing_api": 0, "not_run": 0, "failed": 0}


NOT_PYTHON = ("def handler(:\n    return 1\n", PY_SQL_SAFE)
SQL_CALL = """conn.execute(f"SELECT id, total FROM orders WHERE customer = '{customer}'").fetchall()"""
NO_SINK = (  # the claimed CWE-89, but no query at all
    PY_SQL_VULNERABLE.replace(SQL_CALL, "[(1, len(customer))]"),
    PY_SQL_VULNERABLE.replace(SQL_CALL, "[(2, len(customer))]"),
)
LABEL_WORDS = (
    PY_SQL_VULNERABLE.replace("customer", "attacker_name"),
    PY_SQL_SAFE.replace("customer", "attacker_name"),
)
TOO_DIFFERENT = (PY_SQL_VULNERABLE, PY_CMD_SAFE)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (as_json(NOT_PYTHON), "syntax_error"),
        (as_json(NO_SINK), "no_sink"),
        (as_json((PY_SQL_VULNERABLE, PY_SQL_VULNERABLE)), "identical_versions"),
        (as_json(LABEL_WORDS), "label_words"),
        (as_json(TOO_DIFFERENT), "diff_too_large"),
        ('{"vulnerable": "import os", "safe": ', "unparsable_answer"),
        ("Sorry, I cannot help with that.", "unparsable_answer"),
    ],
)
def test_bad_answers_are_dropped_and_counted(server, tmp_path, answer, reason):
    server.script = [("content", answer)]  # then the good pair: the second attempt replaces the first
    splits, summary = build_corpus(llm_config(server, tmp_path))
    report = summary["llm"]
    assert report["dropped"][reason] == 1
    assert sum(report["dropped"].values()) == 1
    assert report["answers_checked"] == 2 and report["pairs_accepted"] == 1
    assert len(all_samples(splits)) == 2


def test_duplicate_answers_are_dropped_in_dedup(server, tmp_path):
    splits, summary = build_corpus(llm_config(server, tmp_path, per_cwe=4))
    assert summary["llm"]["dropped"]["duplicate"] == 1
    assert summary["llm"]["pairs_accepted"] == 1
    assert len(all_samples(splits)) == 2


def test_every_answer_failing_is_one_clear_error(server, tmp_path):
    server.script = [("content", "no code here")] * 2
    with pytest.raises(VulntuneError, match=r"no language-model pair passed the checks \(unparsable_answer 2\)"):
        build_corpus(llm_config(server, tmp_path))


def test_fenced_code_blocks_are_accepted():
    text = f"Here they are.\n```python\n{PY_SQL_VULNERABLE}```\nAnd the fix:\n```python\n{PY_SQL_SAFE}```\n"
    assert read_answer(text) == (PY_SQL_VULNERABLE, PY_SQL_SAFE)
    assert read_answer(f"```json\n{as_json((PY_CMD_VULNERABLE, PY_CMD_SAFE))}\n```") == (PY_CMD_VULNERABLE, PY_CMD_SAFE)


def test_fenced_answer_goes_through_the_pipeline(server, tmp_path):
    server.script = [("content", f"```python\n{PY_SQL_VULNERABLE}```\n\n```python\n{PY_SQL_SAFE}```")]
    _, summary = build_corpus(llm_config(server, tmp_path))
    assert summary["llm"]["pairs_accepted"] == 1 and summary["llm"]["answers_checked"] == 1


def test_rejected_response_format_is_retried_once_without(server, tmp_path):
    server.reject_response_format = True
    _, summary = build_corpus(llm_config(server, tmp_path, cwes=("CWE-89", "CWE-78")))
    assert summary["llm"]["pairs_accepted"] == 2
    assert summary["llm_usage"]["response_format_fallback"] is True
    assert ["response_format" in r for r in server.requests] == [True, False, False]


def test_timeouts_429_and_5xx_are_retried_with_backoff(server, tmp_path):
    server.script = [("status", 429), ("status", 500), ("hang", 1.0), ("raw", "<html>busy</html>"), ("status", 503)]
    sleeps: list[float] = []
    _, summary = build_corpus(llm_config(server, tmp_path, request_timeout=0.3), sleep=sleeps.append)
    assert summary["llm"]["pairs_accepted"] == 1
    assert summary["llm_usage"] == {"requests": 1, "cache_hits": 0, "retries": 5, "response_format_fallback": False}
    assert sleeps == [0.0, 2.0, 4.0, 8.0, 16.0]  # 429 said Retry-After: 0; the rest back off exponentially
    assert len(server.requests) == 6


def test_backoff_is_bounded_and_persistent_failure_raises(server, tmp_path):
    server.script = [("status", 500)] * 10
    sleeps: list[float] = []
    client = ChatClient(endpoint=server.url, model="m", api_key=None, cache=AnswerCache(tmp_path), sleep=sleeps.append)
    with pytest.raises(VulntuneError, match=r"still failing after 6 attempts \(HTTP 500\)"):
        client.complete([{"role": "user", "content": "x"}], seed=1)
    assert sleeps == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert len(server.requests) == 6


def test_persistent_failure_exits_2_with_one_line(server, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(client_module, "BACKOFF_SECONDS", 0.0)
    server.script = [("status", 502)] * 10
    code = main(
        [
            "synth",
            "--generator",
            "llm",
            "--endpoint",
            server.url,
            "--model",
            "m",
            "--languages",
            "python",
            "--cwes",
            "CWE-89",
            "--per-cwe",
            "2",
            "--no-javac",
            "--quiet",
            "--cache-dir",
            str(tmp_path / "c"),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("vulntune: http://127.0.0.1:") and "HTTP 502" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_other_http_errors_stop_at_once(server, tmp_path):
    server.script = [("status", 401)]
    with pytest.raises(VulntuneError, match=r"HTTP 401: .*scripted 401.*api-key-env"):
        build_corpus(llm_config(server, tmp_path))
    assert len(server.requests) == 1


def test_answers_are_cached_a_rerun_sends_nothing(server, tmp_path):
    config = llm_config(server, tmp_path, cwes=("CWE-89", "CWE-78"))
    first = synthesize(config, tmp_path / "one")
    sent = len(server.requests)
    second = synthesize(config, tmp_path / "two")
    assert sent == 2 and len(server.requests) == sent
    assert first["llm_usage"]["requests"] == 2 and second["llm_usage"]["cache_hits"] == 2
    for name in ("train.jsonl", "validation.jsonl", "test.jsonl", "summary.json", "README.md"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_max_requests_bounds_spending_and_an_interrupted_run_resumes(server, tmp_path):
    _, summary = build_corpus(llm_config(server, tmp_path, cwes=("CWE-89", "CWE-78"), max_requests=1))
    assert summary["llm"]["max_requests_reached"] is True and summary["llm"]["pairs_accepted"] == 1
    _, summary = build_corpus(llm_config(server, tmp_path, cwes=("CWE-89", "CWE-78")))
    assert summary["llm_usage"] == {"requests": 1, "cache_hits": 1, "retries": 0, "response_format_fallback": False}
    assert summary["llm"]["pairs_accepted"] == 2


def test_api_key_is_sent_but_never_written(server, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FAKE_LLM_KEY", SECRET)
    code = main(
        [
            "synth",
            "--generator",
            "llm",
            "--endpoint",
            server.url + "/chat/completions",
            "--model",
            "m",
            "--api-key-env",
            "FAKE_LLM_KEY",
            "--languages",
            "python",
            "--cwes",
            "CWE-89,CWE-78",
            "--per-cwe",
            "2",
            "--no-javac",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert server.headers[0]["Authorization"] == f"Bearer {SECRET}"
    assert SECRET not in captured.out + captured.err
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) >= 7  # 5 corpus files and 2 cached answers
    assert not [p for p in files if SECRET in p.read_text(encoding="utf-8")]
    assert "llm m: 2 pairs accepted of 2 answers (100%)" in captured.out
    assert "FAKE_LLM_KEY" in (tmp_path / "out" / "summary.json").read_text()  # the variable's name only


def test_mix_takes_the_share_of_pairs_from_the_model(server, tmp_path):
    config = llm_config(server, tmp_path, generator="mix", llm_share=0.4, per_cwe=10)
    splits, summary = build_corpus(config)
    samples = all_samples(splits)
    model = [s for s in samples if s.meta.get("generator") == "llm:fake-coder"]
    templates = [s for s in samples if s.meta.get("generator") == "template"]
    assert len(model) + len(templates) == len(samples)
    assert summary["llm"]["pairs_wanted_per_language_cwe"] == 2  # round(5 pairs * 0.4)
    # the same scripted pair twice: one is kept, the other dropped as a duplicate
    assert len(model) == 2 and summary["llm"]["dropped"]["duplicate"] == 1
    assert {s.pair_id for s in templates} and len(templates) <= 6  # 3 template pairs, less exact duplicates
    assert summary["config"]["llm_share"] == 0.4


def test_template_summary_keeps_todays_config_keys():
    mapping = _config_mapping(SynthConfig())
    assert not {"generator", "endpoint", "model", "llm_share", "cache_dir"} & set(mapping)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (dict(generator="llm"), "needs --endpoint"),
        (dict(generator="llm", endpoint="localhost:8000"), "needs --endpoint"),
        (dict(generator="llm", endpoint="http://h/v1"), "needs --model"),
        (dict(generator="mix", endpoint="http://h/v1", model="m", llm_share=1.0), "--llm-share must be between"),
        (dict(generator="llm", endpoint="http://h/v1", model="m", max_requests=0), "--max-requests must be at least 1"),
        (dict(generator="gpt"), "unknown generator 'gpt'"),
        (dict(endpoint="http://h/v1"), "need --generator llm or mix"),
    ],
)
def test_bad_settings_are_rejected(settings, message):
    with pytest.raises(VulntuneError, match=re.escape(message)):
        SynthConfig(**settings)


def test_cli_rejects_llm_options_for_the_template_generator(tmp_path, capsys):
    assert main(["synth", "--llm-share", "0.5", "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err.strip() == "vulntune: --llm-share needs --generator llm or mix"


def test_prompts_are_deterministic_and_vary():
    prompts = [make_prompt(seed=0, language="python", cwe="CWE-89", attempt=i) for i in range(8)]
    again = [make_prompt(seed=0, language="python", cwe="CWE-89", attempt=i) for i in range(8)]
    assert [p.sha256 for p in prompts] == [p.sha256 for p in again]
    assert [p.safe_kind for p in prompts[:4]] == ["fix", "untainted", "taint-killed", "unreached"]
    assert len({p.variant for p in prompts}) > 3
    assert make_prompt(seed=0, language="java", cwe="CWE-798", attempt=1).safe_kind == "unreached"


def test_check_helpers():
    assert chat_url("http://h/v1/") == "http://h/v1/chat/completions"
    assert chat_url("http://h/v1/chat/completions") == "http://h/v1/chat/completions"
    assert display_url("https://user:pw@h:8443/v1?key=k") == "https://h:8443/v1"
    assert changed_lines("a\nb\nc\n", "a\nx\nc\n") == 1
    method = "import java.io.File;\n\npublic boolean exists(String name) {\n    return new File(name).exists();\n}\n"
    unit = java_unit(method)
    assert unit.startswith("import java.io.File;\n\npublic class Snippet {\n") and unit.endswith("}\n}\n")
    assert check_pair(PY_SQL_VULNERABLE, PY_SQL_SAFE, language="python", cwe="CWE-78") == "no_sink"


@pytest.mark.skipif(shutil.which("javac") is None, reason="javac not on the PATH")
def test_javac_tells_missing_apis_from_broken_code():
    from vulntune.synth.llm.check import javac_statuses

    missing = "import com.example.vault.Client;\n\nclass Lookup {\n    Client client = new Client();\n}\n"
    broken = 'class Broken {\n    int size() {\n        return "text";\n    }\n}\n'
    statuses = javac_statuses([JAVA_SQL_VULNERABLE, missing, broken])
    assert statuses[:2] == ["passed", "missing-api"]
    assert statuses[2].startswith("error: line 3: error: incompatible types")
