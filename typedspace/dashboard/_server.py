"""The dashboard's web server: the page, its assets and a read-only JSON API.

The standard library's ``ThreadingHTTPServer`` is all it needs: it serves three files of
ours, plotly's bundled ``plotly.min.js`` (from the installed package: the page loads nothing
from the web) and four GET endpoints.  Nothing it does writes to the study file.

Bound to 127.0.0.1 (the default) only this machine can connect, and a request naming another
host in its ``Host`` header is refused, so a web page elsewhere cannot reach the dashboard by
pointing a domain name at 127.0.0.1 (DNS rebinding).  ``host="0.0.0.0"`` exposes it: it has no
login, so only do that on a network you trust, or use an SSH tunnel.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import json
import os
import socket
import sys
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from typedspace.dashboard._data import StudyFile
from typedspace.errors import StorageError

STATIC = Path(__file__).resolve().parent / "static"

#: The files of the page: URL path -> (file, content type).
_ASSETS = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/static/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/static/style.css": ("style.css", "text/css; charset=utf-8"),
}

# Scripts only from our own files (no inline script): a string from the database that
# slipped into the page as markup still could not run.  'unsafe-eval' lets the running
# plotly.min.js compile its WebGL drawing code (regl builds functions at run time; the page
# draws 1,500 points and more with WebGL); plotly sets inline styles.
_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'"
)


def plotly_js() -> Path:
    """The ``plotly.min.js`` bundled with the installed ``plotly`` package (found without
    importing it); ImportError saying what to install when it is missing."""
    spec = importlib.util.find_spec("plotly")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in locations:
        path = Path(folder) / "package_data" / "plotly.min.js"
        if path.is_file():
            return path
    raise ImportError(
        "the dashboard needs plotly's bundled plotly.min.js: pip install 'typedspace[dashboard]'"
    )


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address to bind) is this machine only.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class DashboardServer(ThreadingHTTPServer):
    """A ``ThreadingHTTPServer`` that shows the studies of one file."""

    daemon_threads = True  # a page left open must not keep the process alive at Ctrl-C

    def __init__(self, studies: StudyFile, host: str, port: int, refresh: float) -> None:
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.studies = studies
        self.refresh = refresh
        self.plotly = plotly_js()
        self.loopback_only = is_loopback(host)
        self.closing = False
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        """The address to open in a browser."""
        host, port = str(self.server_address[0]), self.server_address[1]
        shown = f"[{host}]" if ":" in host else host
        if shown in ("0.0.0.0", "[::]"):
            shown = "127.0.0.1" if shown == "0.0.0.0" else "[::1]"
        return f"http://{shown}:{port}/"

    def server_close(self) -> None:
        self.closing = True  # a page's open (keep-alive) connection is answered 503, then closed
        super().server_close()
        self.studies.close()


def make_server(
    path: str | os.PathLike[str], host: str = "127.0.0.1", port: int = 8080, refresh: float = 2.0
) -> DashboardServer:
    """A dashboard server for the study file ``path``, bound but not yet serving
    (``serve_forever()``; ``url`` says where).  ``port=0`` takes a free port.  ``refresh`` is
    how often the page asks for new trials, in seconds.

    >>> import os, tempfile
    >>> from typedspace import Uniform, optimize
    >>> path = os.path.join(tempfile.mkdtemp(), "runs.db")
    >>> _ = optimize(lambda x: x, Uniform(0.0, 1.0), max_evals=3, storage=path, progress=False)
    >>> server = make_server(path, port=0)
    >>> server.url.startswith("http://127.0.0.1:")
    True
    >>> server.server_close()
    """
    if not refresh > 0:
        raise ValueError(f"refresh must be a positive number of seconds, got {refresh!r}")
    plotly_js()  # before opening anything: the one thing an install may lack
    studies = StudyFile(path)
    try:
        return DashboardServer(studies, host, port, refresh)
    except BaseException:
        studies.close()
        raise


def serve(
    path: str | os.PathLike[str], host: str = "127.0.0.1", port: int = 8080, refresh: float = 2.0
) -> None:
    """Serve the dashboard of ``path`` until Ctrl-C, after printing its address."""
    run(make_server(path, host, port, refresh), path)


def run(server: DashboardServer, path: str | os.PathLike[str]) -> None:
    """Print where ``server`` (showing ``path``) is, and serve until Ctrl-C; then close it."""
    announce(server, path)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def announce(server: DashboardServer, path: str | os.PathLike[str]) -> None:
    """Print where the dashboard of ``path`` is, and how to reach it from elsewhere."""
    port = server.server_address[1]
    print(f"typedspace dashboard of {os.fspath(path)}: {server.url}  (Ctrl-C to stop)")
    if server.loopback_only:
        print(
            "only this machine can open it; from another one use an SSH tunnel "
            f"(ssh -L {port}:127.0.0.1:{port} THIS_HOST, then open {server.url}), "
            "or --host 0.0.0.0 on a network you trust (the page has no login)"
        )
    sys.stdout.flush()


class _Handler(BaseHTTPRequestHandler):
    server: DashboardServer  # pyright: ignore[reportIncompatibleVariableOverride]
    protocol_version = "HTTP/1.1"  # keep-alive: a poll reuses the page's connection
    # Headers and body leave in one write, without waiting for the client's ACK of the
    # headers (Nagle's algorithm with delayed ACKs cost 40 ms per keep-alive request).
    wbufsize = 1 << 16
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a poll every second would flood the terminal

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def do_GET(self) -> None:
        self._respond(head=False)

    def _respond(self, *, head: bool) -> None:
        if self.server.closing:
            self.close_connection = True
            self._send_json({"error": "the dashboard is stopping"}, 503, head)
            return
        if self.server.loopback_only and not self._host_is_local():
            self._send_json({"error": "this dashboard only answers to localhost"}, 403, head)
            return
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path in _ASSETS:
            name, kind = _ASSETS[url.path]
            self._send_file(STATIC / name, kind, head)
        elif url.path == "/static/plotly.min.js":
            self._send_file(self.server.plotly, _ASSETS["/static/app.js"][1], head)
        elif url.path in _API:
            try:
                self._send_json(_API[url.path](self.server, query), 200, head)
            except _Refused as refused:
                self._send_json({"error": str(refused)}, refused.status, head)
            except StorageError as error:  # a damaged row, a file replaced by another
                self._send_json({"error": str(error)}, 500, head)
        else:
            self._send_json({"error": f"nothing at {url.path}"}, 404, head)

    def _host_is_local(self) -> bool:
        host = self.headers.get("Host", "")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return is_loopback(name)

    def _send_file(self, path: Path, kind: str, head: bool) -> None:
        """A file, or 304 when the browser holds this version: then it reuses its copy and
        the code it compiled from it (plotly.min.js takes seconds to parse on a slow CPU)."""
        stat = path.stat()
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._send(HTTPStatus.OK, path.read_bytes(), kind, head, {"ETag": etag})

    def _send_json(self, data: object, status: int, head: bool) -> None:
        body = json.dumps(data, allow_nan=False, separators=(",", ":")).encode()
        self._send(HTTPStatus(status), body, "application/json", head)

    def _send(
        self,
        status: HTTPStatus,
        body: bytes,
        kind: str,
        head: bool,
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", _CSP)
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        if not head:
            self.wfile.write(body)


class _Refused(Exception):
    """A request the API cannot answer: ``status`` and a message for the page."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _one(query: dict[str, list[str]], key: str, default: str | None = None) -> str:
    values = query.get(key)
    if not values:
        if default is None:
            raise _Refused(f"the query needs {key}=", 400)
        return default
    return values[0]


def _config(server: DashboardServer, query: dict[str, list[str]]) -> object:
    return {"file": os.path.basename(server.studies.path), "refresh": server.refresh}


def _studies(server: DashboardServer, query: dict[str, list[str]]) -> object:
    return {"file": os.path.basename(server.studies.path), "studies": server.studies.studies()}


def _study(server: DashboardServer, query: dict[str, list[str]]) -> object:
    name = _one(query, "name")
    text = _one(query, "since", "0")
    if not text.isdigit():
        raise _Refused(f"since= must be a revision number, got {text!r}", 400)
    try:
        return server.studies.study(name, since=int(text), epoch=_one(query, "epoch", ""))
    except KeyError:
        raise _Refused(f"no study named {name!r} in {server.studies.path}", 404) from None


_API: dict[str, Callable[[DashboardServer, dict[str, list[str]]], object]] = {
    "/api/config": _config,
    "/api/studies": _studies,
    "/api/study": _study,
}
