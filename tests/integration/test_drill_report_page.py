"""The drill report page (report.html) as a person sees it: rendered by a real browser (Debian's chromium,
headless), the screenshot read back. The timeline's bars must appear in their colours, to scale."""

from __future__ import annotations

import re
import shutil
import subprocess

from PIL import Image

from ansible_collections.ai_model_registry.infra.plugins.plugin_utils import drill_report
from tests.unit.plugins.action.test_dr_drill_report import REPORT, START

# Steps of a switchover drill: 10 s, 75 s and 15 s long; the second failed.
STEPS = [
    {"name": "Lock taken", "status": "ok", "detail": "", "at": START + 10},
    {"name": "Writer moved to us-east-1", "status": "failed", "detail": "timed out", "at": START + 85},
    {"name": "Cleanup", "status": "ok", "detail": "nothing left", "at": START + 100},
]
COLOURS = {
    status: tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5)) for status, colour in drill_report.COLOURS.items()
}


def _runs(image: Image.Image, colour: tuple[int, int, int], longer_than: int = 30) -> list[tuple[int, int, int]]:
    """Horizontal runs of exactly ``colour`` (bars, not text): (row, first x, length), one per bar."""
    pixels, (width, height) = image.load(), image.size
    found = {}
    for y in range(height):
        x = 0
        while x < width:
            if pixels[x, y][:3] == colour:
                start = x
                while x < width and pixels[x, y][:3] == colour:
                    x += 1
                if x - start > longer_than:
                    found.setdefault((start, x - start), y)
            else:
                x += 1
    return sorted((y, start, length) for (start, length), y in found.items())


def _browser(tmp_path, name: str, html: str, *arguments: str) -> subprocess.CompletedProcess:
    """Debian's chromium, headless, on the page written to ``name``."""
    chromium = shutil.which("chromium")
    assert chromium, "make setup installs Debian's chromium"
    page = tmp_path / name
    page.write_text(html)
    return subprocess.run(  # noqa: S603 - fixed arguments
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1",
         "--window-size=1100,900", *arguments, page.as_uri()],
        check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_a_browser_renders_the_timeline_to_scale_and_the_figures(tmp_path):
    shot = tmp_path / "report.png"
    _browser(tmp_path, "report.html", drill_report.report_html(dict(REPORT, steps=STEPS)), f"--screenshot={shot}")
    image = Image.open(shot).convert("RGB")
    ok, failed = _runs(image, COLOURS["ok"]), _runs(image, COLOURS["failed"])
    # 100 s on TIMELINE_WIDTH px: the bars are 64, 480 and 96 px long, side by side, each on its own row
    assert [run[2] for run in ok] == [64, 96] and [run[2] for run in failed] == [480]
    (lock_row, lock_x, lock_length), (cleanup_row, cleanup_x, cleanup_length) = ok
    ((writer_row, writer_x, writer_length),) = failed
    assert writer_x == lock_x + 64 and cleanup_x == writer_x + 480 and lock_row < writer_row < cleanup_row


def test_a_browser_renders_the_history_with_a_series_per_drill_type(tmp_path):
    def run(kind, day, result, rto):
        when = f"2026-11-{day:02d}T10:00:00Z"
        return {
            "drill_id": when,
            "type": kind,
            "started_at": when,
            "result": result,
            "rto_seconds": rto,
            "rpo_seconds": 1,
        }

    index = {
        "runs": [run("restore", d, "pass", 600 + 10 * d) for d in (2, 9, 16)]
        + [run("switchover", d, r, 90 + d) for d, r in ((3, "fail"), (10, "pass"))]
        + [run("full", 4, "pass", 400)]
    }
    cadence = {"restore": {"every": "month"}, "switchover": {"every": "quarter"}, "full": {"every": "year"}}
    html = drill_report.history_html(index, cadence, drill_report._epoch("2026-11-29T12:00:00Z"))
    dom = _browser(tmp_path, "history.html", html, "--dump-dom").stdout  # the document the browser built
    sections = re.findall(r'<section class="type" id="(\w+)" data-runs="(\d+)">', dom)
    assert sections == [("full", "1"), ("restore", "3"), ("switchover", "2")]
    # a line for each figure of a type with two runs or more: RTO and RPO of restore and switchover
    series = re.findall(r'<svg class="series" data-figure="(\w+)" data-points="(\d+)"', dom)
    assert series == [("rto_seconds", "3"), ("rpo_seconds", "3"), ("rto_seconds", "2"), ("rpo_seconds", "2")]
    assert "this quarter's drill done, passed" in dom and "this year's drill done, passed" in dom
    shot = tmp_path / "history.png"
    _browser(tmp_path, "history.html", html, f"--screenshot={shot}")
    blue = tuple(bytes.fromhex("1565c0"))
    pixels = Image.open(shot).convert("RGB").get_flattened_data()
    assert sum(1 for pixel in pixels if max(abs(a - b) for a, b in zip(pixel, blue)) < 40) > 200  # noqa: B905
