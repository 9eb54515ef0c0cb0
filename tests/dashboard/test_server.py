"""typedspace/dashboard/_server.py and the ``dashboard`` command: the page, its assets and
the JSON API over real HTTP."""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from typedspace.cli import main
from typedspace.dashboard._server import STATIC, DashboardServer, make_server, plotly_js

from .conftest import HOSTILE_STUDY


def get(
    server: DashboardServer,
    path: str,
    host: str | None = None,
    method: str = "GET",
    etag: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    port = server.server_address[1]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Host": host} if host is not None else {}
    if etag is not None:
        headers["If-None-Match"] = etag
    conn.request(method, path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), body


def test_the_page_and_its_assets_come_from_the_installed_packages(
    dashboard: DashboardServer,
) -> None:
    status, headers, body = get(dashboard, "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert body == (STATIC / "index.html").read_bytes()
    # No inline script may run, whatever text reaches the page (eval: plotly's WebGL code).
    assert "script-src 'self' 'unsafe-eval';" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert b"http" not in body.replace(b"http-equiv", b"")  # nothing from the web
    status, headers, body = get(dashboard, "/static/plotly.min.js")
    assert status == 200 and body == plotly_js().read_bytes()
    assert headers["Content-Type"].startswith("text/javascript")
    # A browser that holds this version reuses it (and the code it compiled from it).
    status, again, body = get(dashboard, "/static/plotly.min.js", etag=headers["ETag"])
    assert status == 304 and body == b"" and again["ETag"] == headers["ETag"]
    assert get(dashboard, "/static/plotly.min.js", etag='"other"')[0] == 200
    for name in ("app.js", "style.css"):
        status, _, body = get(dashboard, f"/static/{name}")
        assert status == 200 and body == (STATIC / name).read_bytes()
    status, _, body = get(dashboard, "/static/../_server.py")
    assert status == 404 and b"nothing at" in body


def test_the_api_answers_json(dashboard: DashboardServer) -> None:
    status, headers, body = get(dashboard, "/api/studies")
    assert status == 200 and headers["Content-Type"] == "application/json"
    listing = json.loads(body)
    assert listing["file"] == "runs.db"
    assert [s["name"] for s in listing["studies"]] == ["mlp", "curves"]
    status, _, body = get(dashboard, "/api/study?name=mlp")
    data = json.loads(body)
    assert status == 200 and len(data["trials"]) == 40
    query = urllib.parse.urlencode(
        {"name": "mlp", "since": data["revision"], "epoch": data["epoch"]}
    )
    status, _, body = get(dashboard, f"/api/study?{query}")
    assert status == 200 and json.loads(body)["trials"] == []
    assert json.loads(get(dashboard, "/api/config")[2]) == {"file": "runs.db", "refresh": 0.5}


def test_api_mistakes_are_json_errors(dashboard: DashboardServer) -> None:
    status, _, body = get(dashboard, "/api/study?name=" + urllib.parse.quote(HOSTILE_STUDY))
    assert status == 404 and json.loads(body)["error"].startswith("no study named")
    status, _, body = get(dashboard, "/api/study?name=mlp&since=-1")
    assert status == 400 and "since=" in json.loads(body)["error"]
    status, _, body = get(dashboard, "/api/study")
    assert status == 400 and "name=" in json.loads(body)["error"]


def test_only_reading_requests_are_answered(dashboard: DashboardServer) -> None:
    for method in ("POST", "PUT", "DELETE"):
        status, _, _ = get(dashboard, "/api/studies", method=method)
        assert status == 501
    status, _, body = get(dashboard, "/api/studies", method="HEAD")
    assert status == 200 and body == b""


def test_a_loopback_server_refuses_other_host_names(dashboard: DashboardServer) -> None:
    # DNS rebinding: a site pointing its own name at 127.0.0.1 cannot read the studies.
    status, _, body = get(dashboard, "/api/studies", host="evil.example:80")
    assert status == 403 and b"localhost" in body
    for host in ("localhost:8080", "127.0.0.1", "[::1]:8080"):
        assert get(dashboard, "/api/studies", host=host)[0] == 200


def test_make_server_checks_its_arguments(studies_db: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="refresh"):
        make_server(studies_db, port=0, refresh=0)
    from typedspace.storage import StorageError

    with pytest.raises(StorageError, match="no typedspace database"):
        make_server(tmp_path / "missing.db", port=0)


def test_the_command_line_lists_and_checks_the_dashboard(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "dashboard" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["dashboard", "--help"])
    assert "--host" in capsys.readouterr().out
    assert main(["dashboard", str(tmp_path / "missing.db")]) == 2
    assert "no database at" in capsys.readouterr().err
    import importlib.util

    def no_plotly(name: str) -> None:
        return None

    monkeypatch.setattr(importlib.util, "find_spec", no_plotly)
    (tmp_path / "some.db").touch()
    assert main(["dashboard", str(tmp_path / "some.db")]) == 2
    assert "pip install 'typedspace[dashboard]'" in capsys.readouterr().err


def test_the_command_serves_until_interrupted(studies_db: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "typedspace.cli", "dashboard", str(studies_db), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith(f"typedspace dashboard of {studies_db}: http://127.0.0.1:")
        assert "ssh -L" in proc.stdout.readline()  # how to reach it from elsewhere
        port = int(first.split("http://127.0.0.1:", 1)[1].split("/")[0])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/api/studies")
        assert json.loads(conn.getresponse().read())["file"] == "runs.db"
        conn.close()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    finally:
        proc.kill()
        proc.wait()
    assert proc.stderr is not None and proc.stderr.read() == ""
