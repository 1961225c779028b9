"""``kg report STORY -o FILE.html``: one self-contained HTML file with the story reader, the diagram and the timeline.

Styles, script, data and the SVG are inlined; the file's Content-Security-Policy allows no request to any host, so it
opens from ``file://`` with the network off. The same store and texts give the same bytes.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from kg.errors import KgError
from kg.reader import source_texts, store_rows, story_data

STATIC = Path(__file__).parent / "static"
_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"


def _raw(text: str) -> str:
    """Text safe inside a <script> or <style> element."""
    return text.replace("</", "<\\/") if "</script" in text.lower() or "</style" in text.lower() else text


def report_html(store: object, story: str, project: Path) -> str:
    """The report page for ``story`` (IRI, prefixed name or folder slug) over a pyoxigraph store."""
    from kg.diagram import diagram_svg

    data = story_data(store_rows(store), story, source_texts(project), str(project.resolve()))
    missing = [p for p in data["problems"] if p.startswith("no text")]
    if missing:
        raise KgError("; ".join(missing) + ": run `kg report` in the project folder or pass --project")
    svg = diagram_svg(data)
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    title = html.escape(data["story"]["title"])
    css = (STATIC / "reader.css").read_text(encoding="utf-8")
    js = (STATIC / "reader.js").read_text(encoding="utf-8")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — standoff report</title>
<style>
{_raw(css)}
</style>
</head>
<body>
<header>
  <h1>standoff <span>report</span></h1>
</header>
<div id="app">
  <div id="story-bar"><strong id="story-title">{title}</strong>
    <span class="name">{html.escape(data["story"]["iri"])}</span>
    <span id="status" role="status">{len(data["spans"])} spans, {len(data["nodes"])} claims and things named</span>
  </div>
</div>
<script type="application/json" id="story-data">{payload}</script>
<script type="text/plain" id="diagram-svg">{_raw(svg)}</script>
<script>
{_raw(js)}
</script>
</body>
</html>
"""


def write_report(store: object, story: str, out: Path, project: Path) -> int:
    """Write the report; returns its size in bytes."""
    body = report_html(store, story, project).encode("utf-8")
    out.write_bytes(body)
    return len(body)
