"""A live study dashboard in the browser: ``typedspace dashboard runs.db``.

A small read-only web server (the standard library's ``http.server``) shows the studies of a
SQLite file and refreshes itself while ``optimize`` writes to the file from other processes.
It needs the ``dashboard`` extra (``pip install 'typedspace[dashboard]'``: plotly, whose
bundled ``plotly.min.js`` the server hands to the page, so nothing is loaded from the web).
"""

from typedspace.dashboard._server import make_server as make_server
from typedspace.dashboard._server import serve as serve

__all__ = ["make_server", "serve"]
