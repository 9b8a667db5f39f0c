"""privacydesk/proctree.py: memory and CPU of a process tree, read from /proc (a real child process)."""

from __future__ import annotations

import subprocess
import sys
import time

from privacydesk import proctree

# A grandchild (the shell's child) that holds 80 MiB and spins for a moment, then idles.
_WORK = (
    "x = bytearray(80 * 1024 * 1024)\nimport time\nt = time.time()\n"
    "while time.time() - t < 1: pass\ntime.sleep(30)"
)


def test_memory_and_cpu_include_the_descendants() -> None:
    shell = subprocess.Popen(["sh", "-c", f'"{sys.executable}" -c "$0" & wait', _WORK])
    try:
        time.sleep(2)
        assert proctree.rss_mib(shell.pid) >= 80  # the shell alone holds a few MiB
        assert proctree.cpu_seconds(shell.pid) >= 0.5  # the shell alone used next to none
    finally:
        subprocess.run(["pkill", "-P", str(shell.pid)], check=False)
        shell.kill()
        shell.wait()


def test_a_process_that_has_ended_counts_nothing() -> None:
    done = subprocess.Popen(["true"])
    done.wait()
    assert proctree.rss_mib(done.pid) == 0 and proctree.cpu_seconds(done.pid) == 0
