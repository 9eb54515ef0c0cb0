"""Which process runs a trial, and whether that process is still alive.

A trial left RUNNING by a process that died must not block a study forever.  The rule:

* on the same host (``socket.gethostname()``), the owner is dead when no process has its pid,
  when that process is a zombie, or when the pid now belongs to a process started at another
  time (pid reuse; the start time is read from ``/proc`` where there is one);
* on another host (or in a container with its own host name) the pid says nothing, so the
  owner is dead when its heartbeat is older than the storage's ``stale_after``.
"""

from __future__ import annotations

import os
import socket

import attrs


@attrs.frozen
class Owner:
    """A process: its host name, pid and start time (clock ticks since boot, if known)."""

    host: str
    pid: int
    start: int | None

    def __str__(self) -> str:
        return f"host {self.host}, pid {self.pid}"


def process_start(pid: int) -> int | None:
    """The start time of process ``pid`` from ``/proc`` (None where unknown)."""
    stat = _proc_stat(pid)
    if stat is None:
        return None
    try:
        return int(stat[19])  # field 22 of /proc/<pid>/stat; stat starts at field 3
    except (IndexError, ValueError):
        return None


def _proc_stat(pid: int) -> list[str] | None:
    """The fields after the command name in ``/proc/<pid>/stat`` (None without /proc)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as file:
            text = file.read()
    except OSError:
        return None
    # The command name is in parentheses and may itself contain spaces or parentheses.
    return text[text.rfind(")") + 2 :].split()


def current_owner() -> Owner:
    pid = os.getpid()
    return Owner(socket.gethostname(), pid, process_start(pid))


def pid_alive(owner: Owner) -> bool:
    """Whether ``owner`` (a process on this host) is still running."""
    try:
        os.kill(owner.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    stat = _proc_stat(owner.pid)
    if stat is None:
        return True  # no /proc (macOS ...): the pid exists, trust it
    if stat and stat[0] in ("Z", "X"):
        return False  # a zombie waiting to be reaped is dead
    return owner.start is None or process_start(owner.pid) == owner.start


def is_dead(owner: Owner, heartbeat: float, now: float, stale_after: float) -> bool:
    """Whether the process that owns a running trial has died (the rule of this module)."""
    if owner.host == socket.gethostname():
        return not pid_alive(owner)
    return now - heartbeat > stale_after
