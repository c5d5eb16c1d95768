"""Benchmarks write what they print into `benchmarks/results.md`, one section each.

    with recorded("throughput", "python benchmarks/throughput.py"):
        main()

Everything printed inside the block still goes to the terminal, and replaces the
section named `throughput` in results.md (other sections are kept), with the date,
the machine and the command, so the figures there are never typed by hand; where
README.md or a page of docs/ marks a place (`<!-- bench:NAME -->` ...
`<!-- /bench:NAME -->`), the same figures are written there too.
"""

from __future__ import annotations

import contextlib
import io
import os
import platform
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.md"
ROOT = Path(__file__).resolve().parents[1]
PAGES = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))  # may quote a section
TITLE = "# Benchmark results\n\nWritten by the scripts in `benchmarks/`; do not edit by hand.\n"


class _Tee(io.TextIOBase):
    def __init__(self, *streams):
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


@contextlib.contextmanager
def recorded(section: str, command: str):
    """Print as usual, and on success store the output as `section` of results.md."""
    captured, where = io.StringIO(), machine()
    with contextlib.redirect_stdout(_Tee(sys.stdout, captured)):
        yield
    write_section(section, command, where, captured.getvalue())


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {load:.1f} at the start"
    )


def write_section(section: str, command: str, where: str, output: str) -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = (
        f"<!-- {section} -->\n## {section}\n\n`{command}` on {stamp} ({where}):\n\n"
        f"```\n{output.rstrip()}\n```\n<!-- /{section} -->\n"
    )
    text = RESULTS.read_text() if RESULTS.exists() else TITLE
    pattern = _markers(section)
    if pattern.search(text):
        text = pattern.sub(lambda _: body, text)
    else:
        text = text.rstrip("\n") + "\n\n" + body
    RESULTS.write_text(text)
    _update_pages(section, command, stamp, where, output)


def _markers(name: str) -> re.Pattern:
    return re.compile(rf"<!-- {re.escape(name)} -->.*?<!-- /{re.escape(name)} -->\n", re.S)


def _update_pages(section: str, command: str, stamp: str, where: str, output: str) -> None:
    """Where README.md or a docs page marks a place for this section
    (`<!-- bench:SECTION -->` ... `<!-- /bench:SECTION -->`), put the same figures there."""
    name = f"bench:{section}"
    pattern = _markers(name)
    body = (
        f"<!-- {name} -->\n`{command}` on {stamp} ({where}):\n\n"
        f"```\n{output.rstrip()}\n```\n<!-- /{name} -->\n"
    )
    for page in PAGES:
        text = page.read_text()
        if pattern.search(text):
            page.write_text(pattern.sub(lambda _: body, text))
