"""The README's pictures: the story reader and the dispute diagram of the first story, from `kg report`.

    python docs/screenshots.py [--store .kg/store]   (after `kg build`; needs Graphviz and Debian's chromium)

Writes docs/reader.png and docs/diagram.png. The report is opened from file:// with every other request refused,
as a reader with the network off would open it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STORY = "pentagon-anthropic"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default=None, help="the built store (default: kg's own default)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as work:
        report = Path(work) / "report.html"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        store = ["--store", args.store] if args.store else []
        subprocess.run([sys.executable, "-m", "kg", "report", STORY, "-o", str(report), *store], cwd=ROOT, env=env,
                       check=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--no-sandbox", "--headless", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 860}, device_scale_factor=1)
            page.route("**/*", lambda r: r.continue_() if r.request.url == report.as_uri() else r.abort())
            page.goto(report.as_uri())
            page.wait_for_selector("body[data-ready]")
            page.locator("mark.hl[data-kind='Refusal'][data-span]").first.click()
            page.locator("mark.hl[data-kind='Refusal'][data-span]").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ROOT / "docs" / "reader.png"))
            page.set_viewport_size({"width": 1800, "height": 1000})
            page.locator("#diagram-box").screenshot(path=str(ROOT / "docs" / "diagram.png"))
            browser.close()
    print("wrote docs/reader.png and docs/diagram.png")


if __name__ == "__main__":
    main()
