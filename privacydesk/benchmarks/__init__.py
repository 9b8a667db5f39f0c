"""Benchmark modules for ``privacydesk bench``: each has ``TITLE`` and ``run() -> str`` (Markdown)."""
