"""``privacydesk bench``: benchmarks, each writing its own section of docs/benchmarks.md.

A benchmark is a module in ``privacydesk.benchmarks`` with ``TITLE`` and ``run() -> str`` (Markdown).
Its section is replaced between ``<!-- begin:NAME -->`` and ``<!-- end:NAME -->``; the others stay.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import platform
import re
import subprocess
import sys
from datetime import UTC, datetime

from privacydesk import benchmarks, paths

REPORT = paths.ROOT / "docs" / "benchmarks.md"
HEADER = (
    "# Benchmarks\n\nWritten by `make bench` (`privacydesk bench [NAME ...]`); "
    "each section says when and where it ran.\n"
)


def available() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__))


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in open("/proc/cpuinfo", encoding="utf-8")
            if line.startswith("model name")
        )
        cpu = model
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        kib = int(next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")))
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    system = f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    return f"{os.cpu_count()} cores ({cpu}){memory}, {system}"


def write_section(name: str, body: str) -> None:
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else HEADER
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = f"<!-- begin:{name} -->\n{body.strip()}\n\n_Ran {stamp} on {machine()}._\n<!-- end:{name} -->"
    pattern = re.compile(rf"<!-- begin:{re.escape(name)} -->.*?<!-- end:{re.escape(name)} -->", re.DOTALL)
    text = pattern.sub(lambda _m: block, text) if pattern.search(text) else f"{text.rstrip()}\n\n{block}\n"
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text, encoding="utf-8")


def run(names: list[str]) -> int:
    chosen = names or available()
    unknown = sorted(set(chosen) - set(available()))
    if unknown:
        print(
            f"error: no benchmark {', '.join(unknown)}; there are: {', '.join(available())}", file=sys.stderr
        )
        return 2
    for name in chosen:
        module = importlib.import_module(f"privacydesk.benchmarks.{name}")
        print(f"==> benchmark {name}: {module.TITLE}", file=sys.stderr, flush=True)
        write_section(name, module.run())
    print(f"==> results in {REPORT.relative_to(paths.ROOT)}", file=sys.stderr)
    return 0


def git_revision() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=paths.ROOT, capture_output=True, text=True
    )
    return result.stdout.strip() or "unknown"
