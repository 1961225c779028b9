// The canned-query page of `kg serve`. Reads the queries from /queries.json (made from queries/*.rq at each
// request), binds parameters the way kg/binding.py does (a VALUES block of escaped, validated terms opened at
// the start of the WHERE group: values are never pasted into the query as syntax) and sends the query to this
// origin's /query, which kg serve forwards to the Oxigraph endpoint. Nothing is loaded from anywhere else.
"use strict";

const XSD = "http://www.w3.org/2001/XMLSchema#";
const LEXICAL = { integer: /^[+-]?[0-9]+$/, decimal: /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/, boolean: /^(?:true|false)$/ };
const IRI = /^[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>"{}|^`\\]*$/;
const IRIREF = /<[^\x00-\x20<>"{}|^`\\]*>/y;
const VAR = /[?$][A-Za-z0-9_]*/y;
const WORD = /[A-Za-z_]+/y;
const PARAM = /^(__?)([A-Za-z][A-Za-z0-9]*)(?:_(iri|literal|integer|decimal|boolean|[a-z]{2}))?$/;
const LOCAL = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?)?$/;
const PN_PREFIX = /^(?:[A-Za-z](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?)?$/;
// Schemes of absolute IRIs written without "//" that may be given bare (kg.queries._BARE_SCHEMES).
const BARE_SCHEMES = new Set(["urn", "mailto", "tag", "did", "doi", "isbn"]);

class BindError extends Error {}

// The prefix of a value written as a prefixed name, or null for an IRI or a plain word (kg.queries.prefix_of).
function prefixOf(value) {
  if (value.startsWith("<") && value.endsWith(">")) return null;
  const at = value.indexOf(":");
  if (at < 0) return null;
  const prefix = value.slice(0, at);
  if (value.startsWith("//", at + 1) || BARE_SCHEMES.has(prefix.toLowerCase()) || !PN_PREFIX.test(prefix)) return null;
  return prefix;
}

// A parameter value as a term of the parameter's type (kg.queries.to_term). The prefixes are ours and the
// stories' (from /queries.json): an unknown prefix is an error, never an IRI that matches nothing.
function toTerm(value, kind, prefixes) {
  if (kind === "iri") {
    let iri = value;
    const prefix = prefixOf(value);
    if (value.startsWith("<") && value.endsWith(">")) {
      iri = value.slice(1, -1);
    } else if (prefix !== null) {
      if (!Object.prototype.hasOwnProperty.call(prefixes, prefix)) {
        const known = Object.keys(prefixes).sort().join(", ");
        throw new BindError(`'${value}': unknown prefix '${prefix}' (known: ${known}); write a full IRI in angle brackets, <...>`);
      }
      iri = prefixes[prefix] + value.slice(prefix.length + 1);
    }
    if (!IRI.test(iri)) throw new BindError(`'${value}' is not a valid iri`);
    return { kind: "iri", value: iri };
  }
  if (kind in LEXICAL) {
    if (!LEXICAL[kind].test(value)) throw new BindError(`'${value}' is not a valid ${kind}`);
    return { kind: "literal", value, datatype: XSD + kind };
  }
  if (kind === "literal") return { kind: "literal", value, datatype: XSD + "string" };
  return { kind: "literal", value, language: kind };
}

// A term as SPARQL syntax (kg.binding.term_text).
function termText(term) {
  if (term.kind === "iri") {
    if (!IRI.test(term.value)) throw new BindError(`'${term.value}' is not an IRI that can be written in a query`);
    return `<${term.value}>`;
  }
  const quoted = '"' + term.value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r") + '"';
  if (term.language) return `${quoted}@${term.language}`;
  if (!term.datatype || term.datatype === XSD + "string") return quoted;
  return `${quoted}^^${termText({ kind: "iri", value: term.datatype })}`;
}

function isAlpha(c) { return /\p{L}/u.test(c); }

// The offset just after the "{" that opens the WHERE group (kg.binding.where_group).
function whereGroup(text) {
  const n = text.length;
  let i = 0, depth = 0, construct = false, seenWhere = false;
  while (i < n) {
    const c = text[i];
    if (c === "#") {
      const end = text.indexOf("\n", i);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (c === '"' || c === "'") {
      const quote = text.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      let j = i + quote.length;
      while (j < n && !text.startsWith(quote, j)) j += text[j] === "\\" ? 2 : 1;
      i = j + quote.length;
      continue;
    }
    if (c === "<") {
      IRIREF.lastIndex = i;
      const m = IRIREF.exec(text);
      if (m) { i = IRIREF.lastIndex; continue; }
    }
    if (c === "?" || c === "$") {
      VAR.lastIndex = i;
      i = VAR.exec(text) ? VAR.lastIndex : i + 1;
      continue;
    }
    if (isAlpha(c) && depth === 0) {
      WORD.lastIndex = i;
      const m = WORD.exec(text);
      if (m) {
        const upper = m[0].toUpperCase();
        construct = construct || upper === "CONSTRUCT";
        seenWhere = seenWhere || upper === "WHERE";
        i = WORD.lastIndex;
        continue;
      }
    }
    if (c === "{") {
      if (depth === 0 && (seenWhere || !construct)) return i + 1;
      depth += 1;
    } else if (c === "}") {
      depth -= 1;
    }
    i += 1;
  }
  throw new BindError("cannot find the query's WHERE group to bind parameters in");
}

// The query with each bound variable fixed by a VALUES block (kg.binding.bind_text).
function bindText(text, bindings) {
  const names = Object.keys(bindings).sort();
  if (names.length === 0) return text;
  const values = ` VALUES (${names.map((n) => "?" + n).join(" ")}) { (${names.map((n) => termText(bindings[n])).join(" ")}) }`;
  const at = whereGroup(text);
  return text.slice(0, at) + values + text.slice(at);
}

// PREFIX declarations the query lacks, before its first line (kg.binding.with_prefixes).
function withPrefixes(text, prefixes) {
  const declared = new Set([...text.matchAll(/\bPREFIX\s+([A-Za-z0-9_.\-]*):/gi)].map((m) => m[1]));
  const head = Object.entries(prefixes).filter(([p]) => !declared.has(p)).map(([p, ns]) => `PREFIX ${p}: <${ns}> `).join("");
  return head + text;
}

// The whole query text for a canned query and the values typed in its fields (name -> string).
function buildQuery(query, values, prefixes) {
  const bindings = {};
  const missing = [];
  for (const p of query.params) {
    const value = values[p.name];
    if (value === undefined || value === "") {
      if (p.required) missing.push(p.name);
      continue;
    }
    bindings[p.variable] = toTerm(value, p.type, prefixes);
  }
  if (missing.length) throw new BindError(`missing parameter(s) ${missing.join(", ")}`);
  return withPrefixes(bindText(query.text, bindings), prefixes);
}

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

window.kg = { toTerm, termText, whereGroup, bindText, withPrefixes, buildQuery, BindError };

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
  const query = state.current;
  const values = {};
  for (const input of document.querySelectorAll("#fields input")) values[input.dataset.param] = input.value.trim();
  $("error").hidden = true;
  $("results").replaceChildren();
  let text;
  try {
    text = buildQuery(query, values, state.doc.prefixes);
  } catch (err) {
    showError(err.message);
    return;
  }
  $("query-text").textContent = text;
  $("run").disabled = true;
  $("status").textContent = "running…";
  const began = performance.now();
  try {
    const answer = await fetch("query", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/sparql-results+json" },
      body: new URLSearchParams({ query: text }),
    });
    const body = await answer.text();
    if (!answer.ok) {
      showError(`The endpoint answered ${answer.status} ${answer.statusText}: ${body}`);
      $("status").textContent = "";
      return;
    }
    $("results").append(renderResults(JSON.parse(body)));
    $("status").textContent = `done in ${Math.round(performance.now() - began)} ms`;
  } catch (err) {
    showError(`The endpoint did not answer: ${err.message}`);
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
