"""The dispute diagram: actors and events as a graph, laid out by Graphviz ``dot`` and returned as SVG.

Who demands of whom, who refuses, who threatens what, and on whom a consequence would fall; hedged or future
claims are drawn dashed. Each event links to the reader's panel (``#n<id>``). The DOT text is built from
:func:`kg.reader.story_data` in a stable order, so the same store gives the same picture.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

from kg.errors import KgError

# Edges drawn from an event (role, label, direction): "in" draws actor -> event, "out" event -> target.
_EDGES = [("hasAgent", "", "in"), ("imposedBy", "imposes", "in"), ("directedAt", "to", "out"),
          ("affects", "would fall on", "out"), ("threatens", "threatens", "out"), ("refuses", "refuses", "out"),
          ("respondsTo", "responds to", "out"), ("orders", "orders", "out"), ("escalates", "escalates", "out")]
# The reader's colours by kind (kg/static/reader.css), so that the two read alike; the kind is also written in the box.
_FILL = {"Demand": "#dbe8fb", "Proposal": "#dbe8fb", "Refusal": "#fbdcdc", "Rejection": "#fbdcdc",
         "Threat": "#fde6c8", "Consequence": "#fde6c8", "Ban": "#fde6c8", "Exclusion": "#fde6c8",
         "Blacklisting": "#fde6c8", "PolicyChange": "#fde6c8", "Precedent": "#fde6c8", "JudicialOrder": "#e9defa",
         "LegalAction": "#e9defa", "Justification": "#d9f2e1", "Statement": "#d9f2e1", "Post": "#d9f2e1",
         "NewsReport": "#d9f2e1"}
_DISPUTE = {"directedAt", "affects", "threatens", "refuses", "demands", "orders", "imposedBy"}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _wrap(text: str, width: int = 28) -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\\n".join(x.replace("\\", "\\\\").replace('"', '\\"') for x in lines[:4]) + ("…" if len(lines) > 4 else "")


def dot_source(data: dict[str, Any]) -> str:
    """The diagram as DOT: events (boxes) that take part in the dispute, and the actors they connect."""
    nodes = {n["id"]: n for n in data["nodes"]}
    events = [n for n in data["nodes"] if not n["isMention"]
              and (n["props"].get("hasAgent") or n["props"].get("imposedBy")) and _DISPUTE & set(n["props"])]
    shown = {e["id"] for e in events}
    lines = ["digraph dispute {", '  graph [rankdir=LR, fontname="sans-serif", bgcolor="transparent", '
             'nodesep=0.25, ranksep=0.6];',
             '  node [fontname="sans-serif", fontsize=10];', '  edge [fontname="sans-serif", fontsize=9];']
    actors: dict[str, str] = {}
    edges = []
    for e in events:
        for role, label, way in _EDGES:
            for target in e["props"].get(role, []):
                tid = target["id"]
                if tid is None:
                    continue
                t = nodes[tid]
                is_event = tid in shown
                if not is_event and t["isMention"]:
                    continue
                if not is_event and role in ("respondsTo", "escalates", "threatens", "orders", "refuses"):
                    # a target that is not drawn as a dispute event: draw it as an outcome box
                    if not t["props"].get("hasAgent") and t["kind"] not in ("Eventuality",):
                        actors.setdefault(tid, "outcome")
                    else:
                        continue
                elif not is_event:
                    actors.setdefault(tid, "actor")
                dashed = e["hedged"] or e["unrealised"]
                a, b = (tid, e["id"]) if way == "in" else (e["id"], tid)
                edges.append((a, b, label, dashed, role))
    for e in events:
        style = "dashed,rounded,filled" if e["hedged"] or e["unrealised"] else "rounded,filled"
        fill = _FILL.get(e["kind"], "#e8eaee")
        lines.append(f'  {e["id"]} [shape=box, style={_quote(style)}, fillcolor="{fill}", '
                     f'label="{e["kindLabel"].upper()}\\n'
                     f'{_wrap(e["label"] or e["name"])}", URL="#{e["id"]}", target="_self", '
                     f'tooltip={_quote(e["name"])}, class="ev kind-{e["kind"]}"];')
    for tid, what in sorted(actors.items()):
        t = nodes[tid]
        shape = "ellipse" if what == "actor" else "note"
        style = "dashed" if what == "outcome" and (t["hedged"] or t["unrealised"]) else "solid"
        url = f', URL="#{tid}", target="_self"' if t["spans"] else ""
        lines.append(f'  {tid} [shape={shape}, style={style}, label="{_wrap(t["label"] or t["name"], 22)}"'
                     f'{url}, tooltip={_quote(t["name"])}, class="{what}"];')
    for a, b, label, dashed, role in sorted(set(edges)):
        attrs = [f"label={_quote(label)}"] if label else []
        if dashed:
            attrs.append("style=dashed")
        attrs.append(f'class="{role}"')
        lines.append(f"  {a} -> {b} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_svg(dot: str) -> str:
    """Lay out and draw ``dot`` with Graphviz's ``dot -Tsvg``; the SVG without its XML prologue."""
    binary = shutil.which("dot")
    if not binary:
        raise KgError("Graphviz is not installed (the `dot` command draws the dispute diagram): "
                      "apt-get install graphviz")
    done = subprocess.run([binary, "-Tsvg"], input=dot, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise KgError(f"dot failed: {done.stderr.strip()}")
    svg = done.stdout
    svg = svg[svg.index("<svg"):]
    return re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)


def diagram_svg(data: dict[str, Any]) -> str:
    return render_svg(dot_source(data))
