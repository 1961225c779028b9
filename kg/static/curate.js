// Curate mode of the story reader (`kg serve --curate`, /curate): select words → a form for a new event, a new
// mention of an event or a new actor; drafted claims accepted, edited or rejected in place. The server makes the
// triples, checks them as `kg build` does and writes the story's files (kg/curate.py); this page only asks.
"use strict";
(function () {
  const SO = "https://w3id.org/standoff/ontology#";
  let data = null, versions = {}, draft = null, quote = null;
  const $ = (id) => document.getElementById(id);
  const el = (...args) => window.standoffReader.el(...args);  // reader.js's element maker
  const reader = () => window.standoffReader;
  const slug = () => data.story.slug;
  const docOf = (id) => data.documents.find((d) => d.id === id || d.iri === id);

  async function post(path, body) {
    const r = await fetch(`curate/${path}`, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ story: slug(), versions, ...body }) });
    let answer = {};
    try { answer = await r.json(); } catch (e) { answer = { error: `the server answered ${r.status}` }; }
    return { status: r.status, answer };
  }

  function say(text) { $("curate-status").textContent = text; }

  function bar() {
    if ($("curate-bar")) return;
    const title = document.querySelector("header h1 span");
    if (title) title.textContent = "curate";
    const undo = el("button", { type: "button", id: "curate-undo", text: "Undo last save" });
    undo.addEventListener("click", async () => {
      const { status, answer } = await post("undo", {});
      if (status === 200) { say(`Undone: ${answer.undone.join(", ")} restored.`); reload(); }
      else say(answer.error || `undo refused (${status})`);
    });
    $("story-bar").append(el("span", { id: "curate-bar" },
      el("strong", { text: "Curate mode" }), " — select words in a text to make a claim. ", undo,
      el("span", { id: "curate-status", role: "status", "aria-live": "polite" })));
  }

  function reload() { return reader().load(slug()); }

  // --- The selection, in code points of the document's text (as the story files' offsets count) ---------------
  function selected() {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) return null;
    const range = sel.getRangeAt(0);
    const box = range.commonAncestorContainer.nodeType === 1 ? range.commonAncestorContainer : range.commonAncestorContainer.parentElement;
    const text = box && box.closest(".text");
    if (!text) return null;
    const before = document.createRange();
    before.selectNodeContents(text);
    before.setEnd(range.startContainer, range.startOffset);
    const start = Array.from(before.toString()).length;
    const end = start + Array.from(range.toString()).length;
    return { doc: text.closest("article.doc").id.replace(/^doc-/, ""), start, end };
  }

  function words(doc, start, end) { return Array.from(docOf(doc).text).slice(start, end).join(""); }

  // move an edge of the quote by one word (the keyboard's way to choose words)
  function nudge(edge, step) {
    const chars = Array.from(docOf(quote.doc).text);
    const space = (i) => /\s/.test(chars[i]);
    let at = quote[edge];
    if (edge === "start" && step > 0) { while (at < chars.length && !space(at)) at++; while (at < chars.length && space(at)) at++; }
    if (edge === "start" && step < 0) { while (at > 0 && space(at - 1)) at--; while (at > 0 && !space(at - 1)) at--; if (at === quote.start) return false; }
    if (edge === "end" && step > 0) { while (at < chars.length && space(at)) at++; while (at < chars.length && !space(at)) at++; }
    if (edge === "end" && step < 0) { while (at > 0 && !space(at - 1)) at--; while (at > 0 && space(at - 1)) at--; }
    const next = { ...quote, [edge]: at };
    if (next.end <= next.start) return false;
    quote = next;
    $("curate-quote").textContent = words(quote.doc, quote.start, quote.end);
    return true;
  }

  // --- The form -----------------------------------------------------------------------------------------------
  function select(name, title, options, blank) {
    const s = el("select", { id: `c-${name}`, name });
    if (blank !== false) s.append(el("option", { value: "", text: blank || "—" }));
    for (const o of options) s.append(el("option", { value: o.iri, text: o.label }));
    return el("div", { class: "c-row", id: `row-${name}` }, el("label", { for: `c-${name}`, text: title }), s);
  }

  function openForm(where, from) {
    quote = { ...where };
    draft = from ? from.drafted : null;
    const c = data.choices;
    const events = c.events.map((e) => ({ iri: e.iri, label: e.label }));
    const attribution = [...c.documents.map((d) => ({ iri: d.iri, label: `the text's own voice (${d.label})` })), ...c.actors];
    const form = el("form", { id: "curate-form", "aria-labelledby": "curate-title", novalidate: "" });
    const edges = el("div", { class: "c-edges", role: "group", "aria-label": "Move the quote's edges by a word" });
    for (const [edge, step, text] of [["start", -1, "◀ start"], ["start", 1, "start ▶"], ["end", -1, "◀ end"], ["end", 1, "end ▶"]]) {
      const b = el("button", { type: "button", text, "data-edge": edge, "data-step": String(step) });
      b.addEventListener("click", () => nudge(edge, step));
      edges.append(b);
    }
    const mode = el("fieldset", { id: "c-mode" }, el("legend", { text: "What the words are" }));
    for (const [value, text] of [["event", "a new event"], ["mention", "a new report of an event already in the story"], ["actor", "a new actor (its name)"]]) {
      const r = el("input", { type: "radio", name: "mode", value, id: `c-mode-${value}` });
      r.addEventListener("change", shown);
      mode.append(el("label", { for: `c-mode-${value}` }, r, ` ${text}`));
    }
    const cameo = el("input", { id: "c-cameo", name: "cameo", list: "c-cameo-codes", autocomplete: "off",
      placeholder: "number or words, e.g. 1014 or demand" });
    const codes = el("datalist", { id: "c-cameo-codes" }, ...c.cameo.map((k) => el("option", { value: `${k.code} ${k.label}` })));
    const file = el("select", { id: "c-file", name: "file" }, ...c.files.map((f) => el("option", { value: f, text: f })));
    const save = el("button", { type: "submit", id: "c-save", text: draft ? "Save my version of the draft" : "Save" });
    const cancel = el("button", { type: "button", id: "c-cancel", text: "Cancel" });
    cancel.addEventListener("click", () => { $("panel").replaceChildren(el("p", { text: "Nothing saved." })); });
    form.append(
      el("h2", { id: "curate-title", text: draft ? `Edit the drafted claim ${draft}` : "New claim from the selected words" }),
      el("blockquote", { id: "curate-quote", text: words(quote.doc, quote.start, quote.end) }),
      el("p", { class: "name", text: `${docOf(quote.doc).name}: the quote and what tells it apart come from the text` }),
      edges, mode,
      select("kind", "Kind", c.kinds, false), select("actorKind", "Kind of actor", c.actorKinds, false),
      select("mentionOf", "Reports the event", events, "choose the event"),
      el("div", { class: "c-row", id: "row-label" }, el("label", { for: "c-label", text: "Label" }), el("input", { id: "c-label", name: "label" })),
      select("agent", "Agent (who acts)", c.actors), select("addressee", "Addressed to (or falls on)", c.actors),
      select("demands", "Asks for", [...c.changes, ...events]), select("refuses", "Refuses", events),
      select("threatens", "Threatens", events), select("justifies", "Justifies", events),
      select("attributedTo", "Attributed to", attribution, false),
      select("certainty", "Certainty", c.certainty, false), select("polarity", "Polarity", c.polarity, false),
      select("timeReference", "Time", c.timeReference, false), select("status", "Status", c.status),
      el("div", { class: "c-row", id: "row-cameo" }, el("label", { for: "c-cameo", text: "CAMEO code" }), cameo, codes),
      select("after", "After", events), select("respondsTo", "Responds to", events), select("escalates", "Escalates", events),
      el("div", { class: "c-row", id: "row-file" }, el("label", { for: "c-file", text: "Write to" }), file),
      el("div", { id: "curate-violations", role: "alert" }),
      el("div", { class: "c-actions" }, save, cancel));
    const panel = $("panel");
    panel.replaceChildren(form);
    panel.removeAttribute("data-node");
    const defaults = { certainty: SO + "certain", polarity: SO + "positive", timeReference: SO + "pastOrPresent",
      attributedTo: docOf(quote.doc).iri, kind: SO + "Statement", file: c.files.includes("claims.ttl") ? "claims.ttl" : c.files[0] };
    for (const [k, v] of Object.entries(defaults)) if ($(`c-${k}`)) $(`c-${k}`).value = v;
    $("c-label").value = words(quote.doc, quote.start, quote.end).split(/\s+/).join(" ");
    $("c-mode-event").checked = true;
    if (from) fill(from);
    shown();
    form.addEventListener("submit", (e) => { e.preventDefault(); submit(); });
    $("c-mode-event").focus();
  }

  function fill(n) {  // a drafted claim's values into the form
    const actorKind = data.choices.actorKinds.some((k) => k.iri === SO + n.kind);
    $(`c-mode-${n.isMention ? "mention" : actorKind ? "actor" : "event"}`).checked = true;
    if (actorKind) $("c-actorKind").value = SO + n.kind; else if (!n.isMention) $("c-kind").value = SO + n.kind;
    $("c-label").value = n.label || "";
    const first = (key) => ((n.props[key] || [])[0] || {}).iri || "";
    const keys = { agent: ["hasAgent", "imposedBy"], addressee: ["directedAt", "affects"] };
    for (const name of ["mentionOf", "agent", "addressee", "demands", "refuses", "threatens", "justifies", "attributedTo",
      "certainty", "polarity", "timeReference", "status", "after", "respondsTo", "escalates"]) {
      const v = (keys[name] || [name]).map(first).find(Boolean);
      if (v && $(`c-${name}`)) {
        if (![...$(`c-${name}`).options].some((o) => o.value === v)) $(`c-${name}`).append(el("option", { value: v, text: v.split("/").pop() }));
        $(`c-${name}`).value = v;
      }
    }
    const code = (n.props.cameoCode || [])[0];
    if (code) $("c-cameo").value = `${code.name.replace(/^cameo:/, "")} ${code.label}`.trim();
  }

  // the rows each kind of claim has (an event has every row but the actor's kind and the reported event)
  const ROWS = { mention: ["mentionOf", "label", "attributedTo", "certainty", "polarity", "timeReference", "status", "file"],
    actor: ["actorKind", "label", "file"] };
  const mode = () => document.querySelector("#c-mode input:checked").value;

  function shown() {
    for (const row of document.querySelectorAll("#curate-form .c-row")) {
      const name = row.id.replace(/^row-/, "");
      row.hidden = ROWS[mode()] ? !ROWS[mode()].includes(name) : ["actorKind", "mentionOf"].includes(name);
    }
  }

  async function submit() {
    // a drafted claim's edit keeps its name: other drafts may point at it
    const claim = { mode: mode(), doc: docOf(quote.doc).iri, start: quote.start, end: quote.end, key: draft || "" };
    for (const row of document.querySelectorAll("#curate-form .c-row:not([hidden])")) {
      const name = row.id.replace(/^row-/, "");
      if (name !== "file") claim[name === "actorKind" ? "kind" : name] = $(`c-${name}`).value;
    }
    $("c-save").disabled = true;
    const { status, answer } = await post("save", { claim, file: $("c-file").value, draft });
    $("c-save").disabled = false;
    if (status === 200) { done(`Saved ${answer.saved.map(short).join(", ")} to ${answer.files.join(" and ")}.`, answer); return; }
    showProblems(status, answer);
  }

  function showProblems(status, answer) {
    const box = $("curate-violations") || $("panel").appendChild(el("div", { id: "curate-violations", role: "alert" }));
    const lines = answer.violations || [answer.error || `refused (${status})`];
    box.replaceChildren(el("h3", { text: answer.violations ? "Not saved: the story would not build" : "Not saved" }),
      el("ul", {}, ...lines.map((v) => el("li", { text: v }))));
    box.setAttribute("data-status", String(status));
  }

  function short(iri) { return iri.startsWith(data.story.base) ? `${data.story.prefix}:${iri.slice(data.story.base.length)}` : iri; }

  async function done(message, answer) {
    versions = answer.versions || versions;
    await reload();
    say(message);
    $("panel").replaceChildren(el("h2", { id: "panel-title", text: "Saved" }), el("p", { id: "curate-done", text: message }));
  }

  // --- Drafted claims: accept, edit, reject in place ---------------------------------------------------------
  function draftButtons(n, s) {
    if (!n.drafted) return;
    const accept = el("button", { type: "button", id: "d-accept", text: "Accept" });
    const edit = el("button", { type: "button", id: "d-edit", text: "Edit…" });
    const reject = el("button", { type: "button", id: "d-reject", text: "Reject" });
    accept.addEventListener("click", async () => {
      const { status, answer } = await post("accept", { ids: [n.drafted] });
      if (status === 200) done(`Accepted ${n.drafted} into ${answer.files[0]}.`, answer); else showProblems(status, answer);
    });
    reject.addEventListener("click", async () => {
      const { status, answer } = await post("reject", { ids: [n.drafted] });
      if (status === 200) done(`Rejected the draft ${n.drafted}.`, answer); else showProblems(status, answer);
    });
    edit.addEventListener("click", () => s && openForm({ doc: s.doc, start: s.start, end: s.end }, n));
    $("panel").prepend(el("div", { id: "draft-box", role: "group", "aria-label": "Drafted claim" },
      el("p", { class: "draft-note", text: `DRAFT ${n.drafted}: proposed by kg draft, not yet in the story.` }), accept, edit, reject));
  }

  function newFromSpan(s) {
    const b = el("button", { type: "button", id: "c-from-span", text: "New claim from these words…" });
    b.addEventListener("click", () => openForm({ doc: s.doc, start: s.start, end: s.end }, null));
    $("panel").append(b);
  }

  document.addEventListener("reader:story", (e) => {
    data = e.detail; versions = data.versions || {};
    bar();
    if (data.violations && data.violations.length) say(`The story's files have ${data.violations.length} violation(s): ${data.violations[0]}`);
  });
  document.addEventListener("reader:panel", (e) => {
    const { node, span } = e.detail;
    draftButtons(node, span);
    if (span) newFromSpan(span);
  });
  document.addEventListener("mouseup", (e) => {
    if (!e.target.closest || !e.target.closest("#documents")) return;
    const where = selected();
    if (where && where.end > where.start) openForm(where, null);
  });
})();
