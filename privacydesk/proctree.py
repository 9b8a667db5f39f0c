"""A process and its descendants, read from Linux's /proc: what the benchmarks measure (memory, CPU)
is the whole tree, as Rasa and the action server start children of their own."""

from __future__ import annotations

import os

__all__ = ["cpu_seconds", "rss_mib"]


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="utf-8") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []  # ended meanwhile


def _tree(pid: int) -> list[int]:
    pids = [pid]
    for current in pids:
        pids += _children(current)
    return pids


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as status:
            return next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
    except OSError:
        return 0


def _cpu_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def rss_mib(pid: int) -> int:
    """Resident memory of ``pid`` and its descendants."""
    return sum(_rss_kib(p) for p in _tree(pid)) // 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its descendants still running."""
    return sum(_cpu_ticks(p) for p in _tree(pid)) / os.sysconf("SC_CLK_TCK")
