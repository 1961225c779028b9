// The story reader: a story's texts with every evidence span highlighted, a panel per span, filters, the dispute
// diagram and the timeline. Data come from /reader/story.json (served) or from the page itself (`kg report`).
"use strict";
(function () {
  const FAMILY = { Demand: "ask", Proposal: "ask", RequestedChange: "ask", Refusal: "refuse", Rejection: "refuse",
    Threat: "threat", Consequence: "threat", Ban: "threat", Exclusion: "threat", Blacklisting: "threat",
    PolicyChange: "threat", Precedent: "threat", ComplianceDeadline: "threat", JudicialOrder: "court",
    LegalAction: "court", Appeal: "court", NewsReport: "say", Statement: "say", Post: "say", Justification: "say" };
  const BADGE = { Demand: "ASK", Proposal: "PRP", RequestedChange: "CHG", Refusal: "REF", Rejection: "REJ",
    Threat: "THR", Consequence: "CSQ", Ban: "BAN", JudicialOrder: "ORD", LegalAction: "LAW", NewsReport: "REP",
    Statement: "SAY", Post: "PST", Justification: "WHY", State: "STA", ComplianceDeadline: "DUE" };
  const FAMILY_NAMES = { ask: "asks, proposals", refuse: "refusals", threat: "threats, bans, consequences",
    court: "courts, lawsuits", say: "statements, reports, reasons", other: "other" };
  const ROLES = [["hasAgent", "Agent"], ["directedAt", "Addressed to"], ["imposedBy", "Imposed by"],
    ["affects", "Would fall on"], ["demands", "Asks"], ["refuses", "Refuses"], ["threatens", "Threatens"],
    ["orders", "Orders"], ["concerns", "Concerns"]];
  const FACTS = [["certainty", "Certainty"], ["polarity", "Polarity"], ["timeReference", "Time"], ["status", "Status"]];
  const RELATIONS = [["respondsTo", "Responds to"], ["justifies", "Justifies"], ["threatens", "Threatens"],
    ["escalates", "Escalates"], ["after", "After"]];
  const BLOCK = 3000;  // characters of text in a block before the next line break starts another
  let data = null, nodes = {}, spans = {}, filters = null;
  // `kg serve --curate` serves this page at /curate over the story's files, drafts included (curate.js)
  const API = document.body.hasAttribute("data-curate") ? "curate" : "reader";
  const el = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
    }
    for (const k of kids) if (k != null) e.append(k);
    return e;
  };
  const family = (n) => FAMILY[n.kind] || "other";
  let badges = {};
  const badge = (n) => badges[n.kind] || "?";
  function makeBadges() {  // one badge per kind in the story, never shared: the kind reads without colour
    badges = {};
    const taken = new Set();
    const kinds = [...new Set(data.nodes.map((n) => n.kind))].sort((a, b) => (BADGE[b] ? 1 : 0) - (BADGE[a] ? 1 : 0) || a.localeCompare(b));
    for (const k of kinds) {
      const word = (k || "unknown").toUpperCase();
      let b = BADGE[k] || word.slice(0, 3);
      for (let i = 3; taken.has(b) && i < word.length; i++) b = word.slice(0, 2) + word[i];
      for (let i = 2; taken.has(b); i++) b = word.slice(0, 2) + i;
      taken.add(b);
      badges[k] = b;
    }
  }
  const val = (n, key) => (n.props[key] || []).map((v) => v.label || v.name).join(", ");
  const certaintyOf = (n) => val(n, "certainty") || (n.event && val(nodes[n.event], "certainty")) || "unstated";
  const kindOf = (n) => n.kindLabel || n.kind || "unknown";
  const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);

  function setup(story) {
    data = story; nodes = {}; spans = {};
    for (const n of data.nodes) nodes[n.id] = n;
    for (const s of data.spans) spans[s.id] = s;
    makeBadges();
    const app = document.getElementById("app");
    for (const old of app.querySelectorAll(".story-part")) old.remove();
    const reader = el("div", { id: "reader", class: "story-part" });
    reader.append(filterBox(), el("div", { id: "documents" }), panelBox());
    app.append(reader);
    const diagram = el("section", { id: "diagram-box", class: "wide story-part", "aria-labelledby": "diagram-title" },
      el("h2", { id: "diagram-title", text: "Dispute diagram" }),
      el("p", { text: "Actors (ovals) and events (boxes): who demands of whom, who refuses, who threatens what, " +
        "and on whom a consequence would fall. Dashed: hedged (probable, possible) or not yet happened. " +
        "Follow a box to its claim in the text." }),
      el("div", { id: "diagram" }));
    diagram.addEventListener("click", diagramLink);
    diagram.addEventListener("keydown", diagramLink);
    app.append(diagram, timelineBox());
    if (data.problems && data.problems.length) {
      app.append(el("section", { class: "wide story-part problems" }, el("h2", { text: "Spans not shown" }),
        el("ul", {}, ...data.problems.map((p) => el("li", { text: p })))));
    }
    renderText();
    document.dispatchEvent(new CustomEvent("reader:story", { detail: data }));
  }

  function filterBox() {
    const box = el("form", { id: "filters", "aria-label": "Filters" });
    const groups = [["source", "Source", (n) => n.source.label], ["certainty", "Certainty", certaintyOf],
      ["kind", "Kind", kindOf]];
    filters = {};
    for (const [key, title, get] of groups) {
      const values = [...new Set(data.spans.map((s) => get(nodes[s.node])))].sort();
      filters[key] = { get, on: new Set(values) };
      const fs = el("fieldset", { id: `filter-${key}` }, el("legend", { text: title }));
      values.forEach((v, i) => {
        const id = `f-${key}-${i}`;
        const box = el("input", { type: "checkbox", id, checked: "", "data-value": v });
        box.addEventListener("change", () => {
          if (box.checked) filters[key].on.add(v); else filters[key].on.delete(v);
          renderText();
        });
        fs.append(el("label", { for: id }, box, " " + v));
      });
      box.append(fs);
    }
    const legend = el("div", { id: "legend" }, el("strong", { text: "How to read the marks" }));
    const list = el("ul");
    for (const [f, name] of Object.entries(FAMILY_NAMES)) {
      list.append(el("li", {}, el("mark", { class: `hl k-${f}`, tabindex: "-1", "data-badge": Object.keys(BADGE)
        .filter((k) => (FAMILY[k] || "other") === f).map((k) => BADGE[k]).slice(0, 3).join("/") || "…" }, name)));
    }
    list.append(el("li", {}, el("mark", { class: "hl k-other hedged" }, "dashed underline: probable or possible")));
    list.append(el("li", {}, el("mark", { class: "hl k-other unrealised" }, "italic, striped: future")));
    list.append(el("li", {}, el("mark", { class: "hl k-other negative" }, "struck: did not happen")));
    list.append(el("li", {}, el("mark", { class: "hl k-other overlap" }, "double underline: claims overlap")));
    legend.append(list);
    box.append(legend);
    return box;
  }

  function shown(n) {
    return Object.values(filters).every((f) => f.on.has(f.get(n)));
  }

  function renderText() {
    const holder = document.getElementById("documents");
    holder.replaceChildren();
    for (const doc of data.documents) {
      const visible = data.spans.filter((s) => s.doc === doc.id && shown(nodes[s.node]));  // by start
      const cuts = new Set([0, doc.text.length]);
      for (const s of visible) { cuts.add(s.start); cuts.add(s.end); }
      const points = [...cuts].sort((a, b) => a - b);
      // The text in blocks cut at line breaks outside any span: the browser lays out only the blocks on
      // screen (content-visibility in reader.css), so a long text is ready as soon as its first screen is.
      const text = el("div", { class: "text" });
      let block = el("div", { class: "block" }), size = 0;
      text.append(block);
      const chars = Array.from(doc.text);  // code points, as the offsets count them
      let next = 0, active = [];
      for (let i = 0; i + 1 < points.length; i++) {
        const a = points[i], b = points[i + 1], piece = chars.slice(a, b).join("");
        active = active.filter((s) => s.end > a);
        while (next < visible.length && visible[next].start <= a) active.push(visible[next++]);
        const over = active.filter((s) => s.start <= a && s.end >= b);
        if (!over.length) {
          let rest = piece, cut;
          while (size >= BLOCK && (cut = rest.indexOf("\n")) >= 0) {
            block.append(rest.slice(0, cut + 1));
            rest = rest.slice(cut + 1);
            block = el("div", { class: "block" });
            text.append(block);
            size = 0;
          }
          block.append(rest);
          size += rest.length;
          continue;
        }
        // the innermost (shortest) span sets the colour; every span that starts here gets a focus stop
        over.sort((x, y) => (x.end - x.start) - (y.end - y.start) || x.start - y.start);
        const top = nodes[over[0].node];
        const starts = over.filter((s) => s.start === a);
        const mark = el("mark", { class: `hl k-${family(top)}`, "data-spans": over.map((s) => s.id).join(" "),
          "data-node": top.id, "data-kind": top.kind }, piece);
        if (top.hedged) mark.classList.add("hedged");
        if (top.unrealised || (top.event && nodes[top.event].unrealised)) mark.classList.add("unrealised");
        if (val(top, "polarity") === "negative") mark.classList.add("negative");
        if (over.length > 1) mark.classList.add("overlap");
        if (top.drafted) mark.classList.add("drafted");
        if (starts.length) {
          const first = starts.sort((x, y) => (x.end - x.start) - (y.end - y.start))[0];
          const n = nodes[first.node];
          mark.setAttribute("tabindex", "0");
          mark.setAttribute("role", "button");
          mark.setAttribute("id", `m-${first.id}`);
          mark.setAttribute("data-span", first.id);
          mark.setAttribute("data-badge", badge(n));
          mark.setAttribute("aria-label", `${n.drafted ? "drafted, " : ""}${kindOf(n)}, ${certaintyOf(n)}: ${first.exact}`);
        }
        block.append(mark);
        size += piece.length;
      }
      holder.append(el("article", { class: "doc", id: `doc-${doc.id}`, "aria-labelledby": `doc-${doc.id}-title` },
        el("h2", { id: `doc-${doc.id}-title`, text: doc.headline || doc.label }),
        el("p", { class: "name", text: `${doc.name} — ${visible.length} of ` +
          `${data.spans.filter((s) => s.doc === doc.id).length} spans shown` }), text));
    }
  }

  function panelBox() {
    return el("aside", { id: "panel", "aria-labelledby": "panel-title", tabindex: "-1" },
      el("h2", { id: "panel-title", text: "Pick a highlighted claim" }),
      el("p", { id: "panel-hint", text: "Click a highlight, or Tab to it and press Enter: its claim shows here." }));
  }

  function nodeLink(id, text) {
    const b = el("button", { type: "button", class: "link", "data-goto": id, text });
    b.addEventListener("click", () => openNode(id, true));
    return b;
  }

  function openNode(id, focus) {
    const n = nodes[id];
    if (!n) return;
    const sid = n.spans[0] || (n.mentions.map((m) => nodes[m].spans[0]).find(Boolean));
    if (sid) openSpan(sid, focus, []); else showPanel(n, null, []);
  }

  function openSpan(sid, focus, others) {
    const s = spans[sid];
    for (const m of document.querySelectorAll("mark.current")) m.classList.remove("current");
    const mark = document.getElementById(`m-${sid}`);
    if (mark) { mark.classList.add("current"); if (focus) mark.focus(); mark.scrollIntoView({ block: "nearest" }); }
    showPanel(nodes[s.node], s, others);
  }

  function showPanel(n, s, others) {
    const panel = document.getElementById("panel");
    const ev = n.event ? nodes[n.event] : n;
    const rows = [];
    const add = (key, dt, dd) => { if (dd) rows.push(el("dt", { text: dt }), el("dd", { "data-field": key }, dd)); };
    add("kind", "Kind", kindOf(ev) + (n.isMention ? " (a further report of it)" : ""));
    for (const [key, title] of ROLES) add(key, title, val(ev, key));
    for (const [key, title] of FACTS) add(key, title, val(n, key) || (n !== ev ? val(ev, key) : ""));
    add("date", "Date", (ev.date && ev.date.text) || "");
    add("attributedTo", "Attributed to", val(n, "attributedTo"));
    const cameo = (ev.props.cameoCode || [])[0];
    add("cameo", "CAMEO", cameo ? `${cameo.name.replace(/^cameo:/, "")} ${cameo.label}` : "");
    add("source", "Source", n.source.label);
    const kids = [el("h2", { id: "panel-title", text: cap(kindOf(ev)) }), el("p", { id: "panel-label", text: ev.label }),
      el("p", { class: "name", text: n.name })];
    if (s) kids.push(el("blockquote", { id: "panel-quote", text: s.exact }));
    kids.push(el("dl", { id: "panel-fields" }, ...rows));
    // every report of the same event, in every document of the story
    const reports = [ev.id, ...ev.mentions].filter((m) => m !== n.id);
    if (reports.length) {
      kids.push(el("h3", { text: "Other reports of this event" }));
      kids.push(el("ul", { id: "panel-mentions" }, ...reports.map((m) => {
        const mn = nodes[m], first = spans[mn.spans[0]];
        const doc = first ? data.documents.find((d) => d.id === first.doc) : null;
        return el("li", {}, nodeLink(m, first ? `“${first.exact}”` : mn.label),
          el("span", { class: "name", text: ` ${doc ? doc.name : ""} · ${mn.source.label}` }));
      })));
    }
    const related = [];
    for (const [key, title] of RELATIONS) {
      for (const r of ev.props[key] || []) if (r.id && nodes[r.id]) related.push(el("li", {}, `${title}: `, nodeLink(r.id, r.label || r.name)));
    }
    for (const other of data.nodes) {
      for (const [key, title] of RELATIONS) {
        if (key !== "after" && (other.props[key] || []).some((r) => r.id === ev.id) && !other.isMention) {
          related.push(el("li", {}, `${title} this: `, nodeLink(other.id, other.label || other.name)));
        }
      }
    }
    if (related.length) kids.push(el("h3", { text: "Related events" }), el("ul", { id: "panel-related" }, ...related));
    if (others && others.length) {
      kids.push(el("h3", { text: "Also marked here" }), el("ul", { id: "panel-overlap" }, ...others.map((o) =>
        el("li", {}, nodeLink(spans[o].node, `${kindOf(nodes[spans[o].node])}: “${spans[o].exact}”`)))));
    }
    panel.replaceChildren(...kids);
    panel.setAttribute("data-node", n.id);
    document.dispatchEvent(new CustomEvent("reader:panel", { detail: { node: n, span: s } }));
  }

  function fromMark(mark) {
    const here = mark.getAttribute("data-spans").split(" ");
    const sid = mark.getAttribute("data-span") || here[0];
    openSpan(sid, false, here.filter((x) => x !== sid));
  }

  function timelineBox() {
    const box = el("section", { id: "timeline", class: "wide story-part", "aria-labelledby": "timeline-title" },
      el("h2", { id: "timeline-title", text: "Timeline" }),
      el("p", { text: "In the order the texts' order relations give; events in one phase are not ordered among " +
        "themselves. Dates only as the texts give them." }));
    const dated = data.nodes.filter((n) => n.date && !n.isMention)
      .sort((a, b) => (a.date.month || "").localeCompare(b.date.month || "") || (a.date.day || "").localeCompare(b.date.day || ""));
    if (dated.length) {
      box.append(el("h3", { text: "Dated in the text" }), el("ul", { id: "axis" }, ...dated.map((n) =>
        el("li", { "data-node": n.id }, el("time", { text: n.date.text }), el("br"), nodeLink(n.id, n.label || n.name)))));
    }
    const list = el("ol", { id: "phases" });
    for (const phase of data.timeline) {
      list.append(el("li", { class: "phase" }, el("strong", { text: phase.label }),
        el("ul", {}, ...phase.events.map((e) => el("li", { "data-node": e },
          nodes[e].date ? el("time", { text: nodes[e].date.text }) : null,
          el("span", { class: "name", text: `${kindOf(nodes[e])} · ` }), nodeLink(e, nodes[e].label || nodes[e].name))))));
    }
    box.append(list);
    return box;
  }

  document.addEventListener("click", (e) => {
    const mark = e.target.closest && e.target.closest("mark.hl[data-spans]");
    const picked = window.getSelection && !window.getSelection().isCollapsed;  // words selected, not a click
    if (mark && !picked) fromMark(mark);
  });
  document.addEventListener("keydown", (e) => {
    const mark = e.target.closest && e.target.closest("mark.hl[data-spans]");
    if (mark && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); fromMark(mark); }
  });
  document.addEventListener("focusin", (e) => {
    const mark = e.target.closest && e.target.closest("mark.hl[data-span]");
    if (mark) fromMark(mark);
  });
  window.addEventListener("hashchange", () => openNode(location.hash.slice(1), true));

  // One listener for the whole diagram, not one per box: a 1,000-claim story draws thousands of links.
  function diagramLink(e) {
    const a = e.target.closest && e.target.closest("#diagram a");
    const href = a && (a.getAttribute("xlink:href") || a.getAttribute("href"));
    if (!href || !href.startsWith("#") || (e.type === "keydown" && e.key !== "Enter")) return;
    e.preventDefault();
    openNode(href.slice(1), true);
  }

  function setDiagram(svgText) {
    const box = document.getElementById("diagram");
    const svg = new DOMParser().parseFromString(svgText, "image/svg+xml").documentElement;
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-labelledby", "diagram-title");
    box.replaceChildren(document.adoptNode(svg));  // moved, not copied
  }

  async function load(name) {
    const status = document.getElementById("status");
    status.textContent = "Loading…";
    const q = encodeURIComponent(name);
    const choice = document.getElementById("story-choice");
    const story = await fetch(`${API}/story.json?story=${q}`).then((r) => {
      if (!r.ok) throw new Error(`no story ${name}`);
      return r.json();
    });
    setup(story);
    if (choice && [...choice.options].some((o) => o.value === story.story.iri)) choice.value = story.story.iri;
    status.textContent = `${story.spans.length} spans, ${story.nodes.length} claims and things named`;
    document.body.setAttribute("data-ready", "true");
    // the diagram comes after: the text is readable and clickable while Graphviz lays it out
    const svg = await fetch(`${API}/diagram.svg?story=${q}`).then((r) => (r.ok ? r.text() : ""));
    if (svg && data === story) setDiagram(svg);
    document.body.setAttribute("data-diagram", svg ? "drawn" : "failed");
  }

  async function start() {
    const embedded = document.getElementById("story-data");
    if (embedded) {
      setup(JSON.parse(embedded.textContent));
      const svg = document.getElementById("diagram-svg");
      if (svg) setDiagram(svg.textContent);
      if (location.hash) openNode(location.hash.slice(1), false);
      document.body.setAttribute("data-ready", "true");
      return;
    }
    const asked = new URLSearchParams(location.search).get("story") || "";
    const choice = document.getElementById("story-choice");
    const listed = fetch(`${API}/stories.json`).then((r) => r.json()).then((list) => {
      for (const s of list) choice.append(el("option", { value: s.iri, text: s.title }));
      const pick = list.find((s) => [s.iri, s.slug, s.prefix].includes(asked)) || list[0];
      if (pick) choice.value = pick.iri;
      choice.addEventListener("change", () => load(choice.value));
      if (!list.length) document.getElementById("status").textContent = "No story in the store.";
      return list;
    });
    // the story (the asked one, else the first) is fetched beside the list, not after it
    const loading = load(asked).catch(() => load(""));
    await listed;
    await loading;
  }
  window.standoffReader = { el, load, openNode, nodes: () => nodes, spans: () => spans };
  start();
})();
