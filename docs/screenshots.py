"""The README's pictures: the story reader and the dispute diagram of the first story, from `kg report`, and the
curate mode of `kg serve --curate` on a story started from the first story's article.

    python docs/screenshots.py [--store .kg/store]   (after `kg build`; needs Graphviz and Debian's chromium)

Writes docs/reader.png, docs/diagram.png and docs/curate.png. The report is opened from file:// with every other
request refused, as a reader with the network off would open it. The curate picture is taken in a temporary project:
`kg new` with the first story's article, `kg draft`, `kg build`, `kg serve --curate`, then words selected in the text.
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
PICKED = "insisting that Anthropic modify its models to support sensitive military workflows"  # a demand


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
        curate_picture(Path(work), env)
    print("wrote docs/reader.png, docs/diagram.png and docs/curate.png")


def curate_picture(work: Path, env: dict[str, str]) -> None:
    """docs/curate.png: a new story's drafted claims marked, and the form for words selected in its text."""
    import shutil

    from playwright.sync_api import sync_playwright

    project = work / "project"
    for folder in ("ontology", "queries"):
        shutil.copytree(ROOT / folder, project / folder)
    (project / "triples").mkdir()
    kg = [sys.executable, "-m", "kg"]
    for args in (["new", "ai-dispute", "--article", str(ROOT / "triples" / STORY / "article.txt"), "--title",
                  "The Pentagon and Anthropic"], ["draft", "ai-dispute"], ["build", "--no-reason"]):
        subprocess.run(kg + args, cwd=project, env=env, check=True, capture_output=True)
    server = subprocess.Popen([*kg, "serve", "--bind", "127.0.0.1:0", "--curate"], cwd=project, env=env,
                              stdout=subprocess.PIPE, text=True)
    try:
        lines = []
        for line in server.stdout:  # type: ignore[union-attr]
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        url = next(line.split()[1] for line in lines if line.startswith("Curate"))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--no-sandbox", "--headless", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 1250}, device_scale_factor=1)
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1") else r.abort())
            page.goto(url + "?story=ai-dispute")
            page.wait_for_selector("body[data-ready]")
            select_words(page, PICKED)
            page.select_option("#c-kind", label="demand")
            page.select_option("#c-agent", label="Pentagon")
            page.select_option("#c-addressee", label="Anthropic")
            page.fill("#c-cameo", "100")
            page.click("#c-save")
            page.wait_for_selector("#curate-violations li")
            page.locator("#curate-violations").scroll_into_view_if_needed()
            page.screenshot(path=str(ROOT / "docs" / "curate.png"))
            browser.close()
    finally:
        server.terminate()
        server.wait(20)


def select_words(page: object, words: str, nth: int = 0) -> None:
    """In the curate page, select the ``nth`` ``words`` of the first text as a mouse would (a DOM Range over the
    text's nodes, which the highlights split), release, and wait for the form (tests/test_curate.py uses it too)."""
    page.evaluate("""([want, nth]) => {
      const text = document.querySelector('article.doc .text');
      const full = text.textContent;
      let at = -1;
      for (let i = 0; i <= nth; i++) at = full.indexOf(want, at + 1);
      if (at < 0) throw new Error('not in the text: ' + want);
      const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
      const range = document.createRange();
      let seen = 0, node;
      while ((node = walker.nextNode())) {
        const here = node.data.length;
        if (seen <= at && at < seen + here) range.setStart(node, at - seen);
        const end = at + want.length;
        if (seen < end && end <= seen + here) { range.setEnd(node, end - seen); break; }
        seen += here;
      }
      const sel = getSelection(); sel.removeAllRanges(); sel.addRange(range);
      text.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
    }""", [words, nth])  # type: ignore[attr-defined]
    page.wait_for_selector("#curate-form")  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
