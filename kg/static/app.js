// The canned-query page of `kg serve`. Reads the queries from /queries.json (made from queries/*.rq at each
// request) and runs one by posting its name and the values typed in its fields to this origin's /run: kg serve
// binds them as RDF terms (kg/binding.py: a VALUES block of escaped, validated terms, never query syntax), sends
// the query to the Oxigraph endpoint and answers with the bound text and the results. Nothing is loaded from
// anywhere else.
"use strict";

const PARAM = /^(__?)([A-Za-z][A-Za-z0-9]*)(?:_(iri|literal|integer|decimal|boolean|[a-z]{2}))?$/;
const LOCAL = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?)?$/;

function header(variable) {
  const m = PARAM.exec(variable);
  return m ? m[2] : variable;
}

function shorten(iri, prefixes) {
  let best = null;
  for (const [p, ns] of Object.entries(prefixes)) {
    if (iri.startsWith(ns) && (!best || ns.length > best[1].length)) best = [p, ns];
  }
  if (best && LOCAL.test(iri.slice(best[1].length))) return `${best[0]}:${iri.slice(best[1].length)}`;
  return `<${iri}>`;
}

// ---- the page -------------------------------------------------------------------------------------------

const state = { doc: null, current: null };
const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  for (const child of children) node.append(child);
  return node;
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = false;
}

function choose(name) {
  const query = state.doc.queries.find((q) => q.name === name) || state.doc.queries[0];
  state.current = query;
  for (const button of document.querySelectorAll("#query-list button")) {
    button.setAttribute("aria-current", String(button.dataset.name === query.name));
  }
  $("query-name").textContent = query.name;
  $("query-summary").textContent = query.summary;
  const fields = $("fields");
  fields.replaceChildren();
  for (const p of query.params) {
    const id = `param-${p.name}`;
    const input = el("input", { id, name: p.name, type: "text", required: p.required, spellcheck: false });
    input.dataset.param = p.name;
    fields.append(el("div", { className: "field" },
      el("label", { htmlFor: id, textContent: `${p.name} (${p.type}${p.required ? "" : ", optional"})` }),
      input,
      el("span", { className: "hint", textContent: p.description })));
  }
  $("query-text").textContent = query.text;
  $("results").replaceChildren();
  $("error").hidden = true;
  $("status").textContent = "";
  $("chosen").hidden = false;
  if (location.hash.slice(1) !== query.name) history.replaceState(null, "", `#${query.name}`);
}

function renderResults(data) {
  const prefixes = state.doc.prefixes;
  if ("boolean" in data) return el("p", { className: "count", textContent: data.boolean ? "true" : "false" });
  const vars = data.head.vars;
  const rows = data.results.bindings;
  const table = el("table", { id: "result-table" });
  table.append(el("thead", {}, el("tr", {}, ...vars.map((v) => el("th", { textContent: header(v), title: "?" + v })))));
  const body = el("tbody");
  for (const row of rows) {
    const tr = el("tr");
    for (const v of vars) {
      const term = row[v];
      const td = el("td");
      if (term) {
        if (term.type === "uri") {
          td.textContent = shorten(term.value, prefixes);
          td.title = term.value;
          td.className = "iri";
        } else if (term.type === "bnode") {
          td.textContent = `_:${term.value}`;
        } else {
          td.textContent = term.value;
        }
      }
      tr.append(td);
    }
    body.append(tr);
  }
  table.append(body);
  const count = el("p", { className: "count", id: "row-count", textContent: `${rows.length} row${rows.length === 1 ? "" : "s"}` });
  const wrap = el("div");
  wrap.append(count, table);
  return wrap;
}

async function run(event) {
  event.preventDefault();
  const params = {};
  for (const input of document.querySelectorAll("#fields input")) {
    const value = input.value.trim();
    if (value !== "") params[input.dataset.param] = value;
  }
  $("error").hidden = true;
  $("results").replaceChildren();
  $("run").disabled = true;
  $("status").textContent = "running…";
  const began = performance.now();
  try {
    const answer = await fetch("run", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: state.current.name, params }),
    });
    const body = await answer.json();
    if (body.query) $("query-text").textContent = body.query;
    if (!answer.ok || body.error) {
      showError(body.error || `The page server answered ${answer.status} ${answer.statusText}`);
      $("status").textContent = "";
      return;
    }
    $("results").append(renderResults(body.results));
    $("status").textContent = `done in ${Math.round(performance.now() - began)} ms`;
  } catch (err) {
    showError(`The page server did not answer: ${err.message}`);
    $("status").textContent = "";
  } finally {
    $("run").disabled = false;
  }
}

async function start() {
  try {
    const answer = await fetch("queries.json");
    if (!answer.ok) throw new Error(`${answer.status} ${await answer.text()}`);
    state.doc = await answer.json();
  } catch (err) {
    $("loading").textContent = `Cannot load the queries: ${err.message}`;
    return;
  }
  $("yasgui-link").href = state.doc.yasgui;
  const list = $("query-list");
  for (const q of state.doc.queries) {
    const button = el("button", { type: "button" },
      el("span", { className: "name", textContent: q.name }),
      el("span", { className: "summary", textContent: q.summary }));
    button.dataset.name = q.name;
    button.addEventListener("click", () => choose(q.name));
    list.append(el("li", {}, button));
  }
  $("loading").hidden = true;
  $("query-form").addEventListener("submit", run);
  if (state.doc.queries.length) choose(location.hash.slice(1));
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
