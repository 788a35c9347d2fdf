// The EMIS console's web app: plain JavaScript, no build step. The session is
// an HttpOnly cookie this script never sees; writes repeat the session's CSRF
// token in a header. Every text from the API goes in through textContent.

const $ = (selector) => document.querySelector(selector);
const PAGE_SIZE = 10;
const LIVE_INTERVAL_MS = 1000;
// The overview's figures in onboarding order.
const STATUS_LABELS = [["None", "No account yet"], ["PendingActivation", "Pending activation"],
  ["Active", "Active"], ["Disabled", "Disabled"], ["Failed", "Provisioning failed"]];
const STATUS_LABEL = new Map(STATUS_LABELS);
const statusLabel = (status) => STATUS_LABEL.get(status) || status;

const state = {
  csrf: null, user: null, page: 1, total: 0, search: "", teachers: [], editing: null, live: null,
  created: null, // the id of a teacher just created, whose account the notice follows
  createdNotice: "", // that notice's text: another notice since ends the following
};

class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && state.csrf) headers["X-CSRF-Token"] = state.csrf;
  const response = await fetch(path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) {
    if (response.status === 401 && path !== "/console/api/session") signedOut();
    throw new ApiError(response.status, json);
  }
  return { status: response.status, json };
}

// ------------------------------------------------------------ forms

function clearErrors(form) {
  form.querySelectorAll(".error").forEach((p) => { p.textContent = ""; });
  form.querySelectorAll("[aria-invalid]").forEach((input) => {
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-errormessage");
  });
}

// The API names a field as its JSON does ('phoneNumber'); a person reads
// the label of the field the message sits under, less an aside such as
// "(optional)".
function inWords(message, field, input) {
  const text = String(message);
  const label = input && input.labels && input.labels[0] && input.labels[0].textContent;
  const name = label && label.replace(/\s*\([^)]*\)\s*$/, "").trim();
  return name ? text.replaceAll(`'${field}'`, () => name) : text;
}

// A reason written to go inside a sentence ("the account of … is added to it"),
// made to stand as one on its own: a capital first letter and a full stop.
function asSentence(reason) {
  const text = String(reason).trim();
  if (!text) return text;
  return text[0].toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? "" : ".");
}

// Puts the problem's per-field messages next to their fields; the rest on the form.
function showErrors(form, error) {
  const fields = (error.problem && error.problem.errors) || {};
  let placed = false;
  for (const [field, messages] of Object.entries(fields)) {
    const slot = form.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
    if (!slot) continue;
    const input = form.elements[field];
    slot.textContent = [].concat(messages).map((m) => inWords(m, field, input)).join(" ");
    if (input) {
      slot.id = slot.id || `${form.id}-${field}-error`;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-errormessage", slot.id);
      if (!placed) input.focus();
    }
    placed = true;
  }
  if (!placed || error.status >= 500) form.querySelector('[data-error-for="form"]').textContent = error.message;
}

function formValues(form) {
  const values = {};
  for (const element of form.elements) {
    if (!element.name) continue;
    const value = element.value.trim();
    if (value !== "") values[element.name] = value;
  }
  return values;
}

function notice(text) {
  const p = $("#notice");
  p.textContent = text;
  p.hidden = !text;
}

// ------------------------------------------------------------ views

function show(view) {
  for (const id of ["sign-in", "activate", "teachers", "operator", "dead-letters", "messages"]) {
    $(`#${id}`).hidden = id !== view;
  }
  const signedInView = !["sign-in", "activate"].includes(view);
  $("#who").hidden = !signedInView;
  $("#views").hidden = !signedInView || !isOperator();
  $("#to-teachers").hidden = !(state.user && state.user.roles.includes("SchoolAdmin"));
  for (const [button, target] of [["#to-teachers", "teachers"], ["#to-operator", "operator"],
    ["#to-dead-letters", "dead-letters"], ["#to-messages", "messages"]]) {
    if (view === target) $(button).setAttribute("aria-current", "page");
    else $(button).removeAttribute("aria-current");
  }
  if (view !== "teachers") stopLive();
  if (view !== "operator") stopOperator();
  if (view !== "dead-letters") stopReplayLog();
}

const isOperator = () => Boolean(state.user && state.user.roles.includes("Operator"));

function signedIn(session) {
  state.csrf = session.csrfToken;
  state.user = session.user;
  $("#who-name").textContent = session.user.fullName || "Signed in";
  if (isOperator() && !session.user.roles.includes("SchoolAdmin")) {
    showOperator();
    return;
  }
  show("teachers");
  $("#search").focus();  // the keyboard starts where the work starts, not on a hidden form
  loadTeachers().then(startLive);
}

function signedOut() {
  state.csrf = null;
  state.user = null;
  show("sign-in");
  $("#si-phone").focus();
}

// ------------------------------------------------------------ teachers

// The class is the status (its colour); the text is for people.
function badge(status, label = status) {
  const span = document.createElement("span");
  span.className = `badge ${status}`;
  span.textContent = label;
  return span;
}

function button(label, onClick, name) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "secondary";
  b.textContent = label;
  b.setAttribute("aria-label", `${label} ${name}`);
  b.addEventListener("click", onClick);
  return b;
}

function renderTeachers() {
  const body = $("#teacher-rows");
  body.replaceChildren();
  if (state.teachers.length === 0) {
    const row = body.insertRow();
    const cell = row.insertCell();
    cell.colSpan = 5;
    cell.className = "empty";
    cell.textContent = state.search ? "No teacher matches the search." : "No teachers yet.";
  }
  for (const t of state.teachers) {
    const row = body.insertRow();
    row.dataset.teacherId = t.id;
    row.insertCell().textContent = t.fullName;
    row.insertCell().textContent = t.phoneNumber;
    const email = row.insertCell();
    email.className = "wide";
    email.textContent = t.email || "";
    const account = row.insertCell();
    const status = t.accountStatus || "None";
    account.append(badge(status, statusLabel(status)));
    if (t.accountStatus === "Failed" && t.accountStatusReason) {
      const reason = document.createElement("small");
      reason.className = "reason";
      reason.textContent = asSentence(t.accountStatusReason);
      account.append(reason);
    }
    const actions = row.insertCell();
    actions.className = "actions";
    actions.append(button("Edit", () => openTeacherDialog(t), t.fullName));
    // A code only activates an account waiting for one.
    if (t.accountStatus === "PendingActivation") actions.append(button("Issue code", () => issueCode(t), t.fullName));
    actions.append(button("Delete", () => deleteTeacher(t), t.fullName));
  }
  reportCreatedAccount();
  const pages = Math.max(1, Math.ceil(state.total / PAGE_SIZE));
  $("#page-info").textContent = `Page ${state.page} of ${pages} · ${state.total} teachers`;
  $("#prev-page").disabled = state.page <= 1;
  $("#next-page").disabled = state.page >= pages;
}

async function loadTeachers() {
  const query = new URLSearchParams({ pageNumber: state.page, pageSize: PAGE_SIZE });
  if (state.search) query.set("searchTerm", state.search);
  const { json } = await api("GET", `/console/api/teachers?${query}`);
  state.teachers = json.items;
  state.total = json.totalCount;
  renderTeachers();
  await refreshLive();
}

// The statuses of the teachers on screen and the overview, from the console's
// read model: the page polls its own API, so an event shows within a second.
async function refreshLive() {
  const ids = state.teachers.map((t) => t.id);
  const [statuses, overview] = await Promise.all([
    ids.length ? api("GET", `/console/api/onboarding?ids=${ids.join(",")}`) : { json: { items: [] } },
    api("GET", "/console/api/onboarding/overview"),
  ]);
  let changed = false;
  for (const item of statuses.json.items) {
    const t = state.teachers.find((x) => x.id === item.teacherId);
    if (t && item.status !== "None" && (t.accountStatus !== item.status
        || (t.accountStatusReason || "") !== item.statusReason)) {
      t.accountStatus = item.status;
      t.accountStatusReason = item.statusReason;
      t.userId = item.userId;
      changed = true;
    }
  }
  if (changed) renderTeachers();
  renderOverview(overview.json);
}

function renderOverview(overview) {
  const box = $("#overview");
  box.replaceChildren();
  for (const [status, label] of STATUS_LABELS) {
    const div = document.createElement("div");
    div.className = "count";
    const strong = document.createElement("strong");
    strong.textContent = overview.counts[status] ?? 0;
    div.append(strong, label);
    box.append(div);
  }
  if (overview.longestPending.length) {
    const div = document.createElement("div");
    div.className = "stuck";
    div.append("Waiting longest for activation:");
    const list = document.createElement("ul");
    for (const e of overview.longestPending) {
      const li = document.createElement("li");
      // The time wraps as a whole: a narrow box must not leave "PM" on a line of its own.
      const since = document.createElement("span");
      since.className = "since";
      since.textContent = `since ${new Date(e.statusAtMs).toLocaleString()}`;
      li.append(`${e.fullName || e.teacherId} · `, since);
      list.append(li);
    }
    div.append(list);
    box.append(div);
  }
}

function startLive() {
  stopLive();
  state.live = setInterval(() => { refreshLive().catch(() => {}); }, LIVE_INTERVAL_MS);
}

function stopLive() {
  if (state.live) clearInterval(state.live);
  state.live = null;
}

function openTeacherDialog(teacher) {
  const form = $("#teacher-form");
  form.reset();
  clearErrors(form);
  state.editing = teacher || null;
  $("#teacher-dialog-title").textContent = teacher ? "Edit teacher" : "New teacher";
  if (teacher) {
    for (const name of ["fullName", "phoneNumber", "email", "gender", "dateOfBirth", "hireDate"]) {
      form.elements[name].value = teacher[name] || "";
    }
  }
  $("#teacher-dialog").showModal();
  form.elements.fullName.focus();
}

// The notice of a teacher just created follows its account: what became of
// it replaces "follows in a moment" once the read model knows, and a pending
// account's activation replaces "waits for activation", so the notice never
// contradicts the row below it.
function reportCreatedAccount() {
  const created = state.created && state.teachers.find((t) => t.id === state.created);
  if (!created || !created.accountStatus || created.accountStatus === "None") return;
  if ($("#notice").textContent !== state.createdNotice) {
    state.created = null;  // another notice took its place: leave that one be
    return;
  }
  if (created.accountStatus !== "PendingActivation") state.created = null;
  if (created.accountStatus === "Failed") {
    createdNotice(`Created ${created.fullName}, but no account was made: ${created.accountStatusReason || "see its row"}.`);
  } else {
    const status = created.accountStatus === "PendingActivation"
      ? "waits for activation" : `is ${statusLabel(created.accountStatus).toLowerCase()}`;
    createdNotice(`Created ${created.fullName}; the account ${status}.`);
  }
}

function createdNotice(text) {
  state.createdNotice = text;
  notice(text);
}

async function saveTeacher(event) {
  event.preventDefault();
  const form = event.target;
  clearErrors(form);
  const values = formValues(form);
  try {
    if (state.editing) {
      await api("PUT", `/console/api/teachers/${state.editing.id}`, values);
      notice(`Saved ${values.fullName}.`);
    } else {
      const { json } = await api("POST", "/console/api/teachers", values);
      state.created = json && json.id;
      createdNotice(`Created ${values.fullName}; the account follows in a moment.`);
      state.page = 1;
    }
    $("#teacher-dialog").close();
    await loadTeachers();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    showErrors(form, error);
  }
}

async function deleteTeacher(teacher) {
  if (!confirm(`Delete ${teacher.fullName}? Their account loses this school.`)) return;
  try {
    await api("DELETE", `/console/api/teachers/${teacher.id}`);
    notice(`Deleted ${teacher.fullName}.`);
    await loadTeachers();
  } catch (error) {
    notice(error.message);
  }
}

async function issueCode(teacher) {
  try {
    const { status, json } = await api("POST", `/console/api/teachers/${teacher.id}/activation-code`);
    $("#code-teacher").textContent = teacher.fullName;
    $("#code-value").textContent = status === 201 ? json.activationCode : `Sent by SMS to ${json.sentTo}`;
    $("#code-expiry").textContent = `Valid until ${new Date(json.expiresAt).toLocaleString()}.`;
    $("#code-dialog").showModal();
  } catch (error) {
    notice(error.message);
  }
}

// ------------------------------------------------------------ CSV import

const CSV_COLUMNS = ["fullName", "phoneNumber", "email", "gender", "dateOfBirth", "hireDate"];
const IMPORT_BATCH = 50;

// RFC 4180 records with the line each starts on; a BOM and CRLF are fine.
function parseCsv(text) {
  if (text.startsWith("\uFEFF")) text = text.slice(1);
  const records = [];
  let fields = [], field = "", quoted = false, line = 1, start = 1, touched = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else { if (c === "\n") line++; field += c; }
    } else if (c === '"') { quoted = true; touched = true; }
    else if (c === ",") { fields.push(field); field = ""; touched = true; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      if (touched || field !== "") { fields.push(field); records.push({ line: start, cells: fields }); }
      fields = []; field = ""; touched = false; line++; start = line;
    } else { field += c; touched = true; }
  }
  if (touched || field !== "") { fields.push(field); records.push({ line: start, cells: fields }); }
  return records;
}

function csvCell(value) {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

const importState = { records: [], failed: [] };

function readRows(records) {
  const [header, ...rest] = records;
  const names = header ? header.cells.map((c) => c.trim()) : [];
  // The failed-rows file adds an `error` column; it can be uploaded again as it is.
  const expected = names.length === CSV_COLUMNS.length + 1 && names.at(-1) === "error" ? names.slice(0, -1) : names;
  if (expected.join(",") !== CSV_COLUMNS.join(",")) {
    throw new Error(`Invalid header: expected ${CSV_COLUMNS.join(",")}`);
  }
  return rest.map((record) => {
    const cells = record.cells.slice(0, names.length);
    if (record.cells.length !== names.length) {
      return { line: record.line, cells: record.cells, problem: `Line has ${record.cells.length} columns, expected ${names.length}.` };
    }
    const fields = {};
    CSV_COLUMNS.forEach((name, i) => { if (cells[i].trim() !== "") fields[name] = cells[i].trim(); });
    return { line: record.line, cells, fields };
  });
}

async function runImport(event) {
  event.preventDefault();
  const form = event.target;
  const dryRun = event.submitter && event.submitter.name === "dry";
  clearErrors(form);
  const file = form.elements.file.files[0];
  if (!file) { form.querySelector('[data-error-for="form"]').textContent = "Choose a CSV file."; return; }
  let rows;
  try {
    rows = readRows(parseCsv(await file.text()));
  } catch (error) {
    form.querySelector('[data-error-for="form"]').textContent = error.message;
    return;
  }
  const results = [];
  const seen = new Map();  // phone -> line, for repeats inside the file on a dry run
  const progress = $("#import-progress");
  progress.hidden = $("#import-progress-label").hidden = false;
  progress.max = Math.max(rows.length, 1);
  progress.value = 0;
  form.querySelectorAll("button").forEach((b) => { b.disabled = true; });
  try {
    for (let i = 0; i < rows.length; i += IMPORT_BATCH) {
      const batch = rows.slice(i, i + IMPORT_BATCH);
      for (const row of batch.filter((r) => r.problem)) results.push({ row, outcome: "invalid", reason: row.problem });
      const sendable = batch.filter((r) => !r.problem);
      if (sendable.length) {
        const { json } = await api("POST", "/console/api/teachers/import",
          { dryRun, rows: sendable.map((r) => ({ line: r.line, fields: r.fields })) });
        json.results.forEach((result, k) => {
          const row = sendable[k];
          if (dryRun && result.outcome === "valid" && seen.has(result.phoneNumber)) {
            result.outcome = "duplicate";
            result.reason = `Same phone number as line ${seen.get(result.phoneNumber)}.`;
          } else if (result.phoneNumber && !seen.has(result.phoneNumber)) {
            seen.set(result.phoneNumber, row.line);
          }
          results.push({ row, outcome: result.outcome, reason: result.reason || "" });
        });
      }
      progress.value = Math.min(i + IMPORT_BATCH, rows.length);
    }
  } catch (error) {
    form.querySelector('[data-error-for="form"]').textContent = error.message;
  } finally {
    form.querySelectorAll("button").forEach((b) => { b.disabled = false; });
  }
  showImportResults(results, rows.length, dryRun);
  if (!dryRun) loadTeachers();
}

function showImportResults(results, total, dryRun) {
  const counts = {};
  for (const r of results) counts[r.outcome] = (counts[r.outcome] || 0) + 1;
  const ok = dryRun ? counts.valid || 0 : counts.created || 0;
  const failed = results.filter((r) => r.outcome !== "valid" && r.outcome !== "created");
  failed.sort((a, b) => a.row.line - b.row.line);
  importState.failed = failed;
  $("#import-summary").textContent = `${dryRun ? "Dry run" : "Import"}: ${total} rows, ` +
    `${ok} ${dryRun ? "would be created" : "created"}, ${counts.duplicate || 0} duplicate phone, ` +
    `${(counts.invalid || 0) + (counts.failed || 0)} invalid.`;
  const body = $("#import-problems");
  body.replaceChildren();
  for (const r of failed) {
    const tr = body.insertRow();
    tr.insertCell().textContent = r.row.line;
    tr.insertCell().textContent = r.outcome === "duplicate" ? "duplicate phone" : r.outcome;
    tr.insertCell().textContent = r.reason;
  }
  $("#import-problems-wrap").hidden = failed.length === 0;
  $("#download-failed").hidden = failed.length === 0;
}

function downloadFailedRows() {
  const lines = [[...CSV_COLUMNS, "error"].join(",")];
  for (const r of importState.failed) {
    const cells = CSV_COLUMNS.map((_, i) => r.row.cells[i] ?? "");
    lines.push([...cells, r.reason].map(csvCell).join(","));
  }
  const url = URL.createObjectURL(new Blob(["\uFEFF" + lines.join("\r\n") + "\r\n"], { type: "text/csv" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = "teachers-failed-rows.csv";
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function toggleImport() {
  const panel = $("#import");
  panel.hidden = !panel.hidden;
  $("#show-import").setAttribute("aria-expanded", String(!panel.hidden));
  if (!panel.hidden) $("#import-file").focus();
}

// ------------------------------------------------------------ event flow (Operator)

const OPERATOR_INTERVAL_MS = 2000;
const operatorState = { timer: null, previous: null };

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

async function refreshOperator() {
  const [health, flow] = await Promise.all([
    api("GET", "/console/api/operator/health"), api("GET", "/console/api/operator/topics")]);
  const list = $("#health");
  list.replaceChildren();
  for (const c of health.json.components) {
    const li = document.createElement("li");
    const status = document.createElement("span");
    status.className = `badge ${c.ready ? "Ready" : "NotReady"}`;
    status.textContent = c.ready ? "Ready" : "Not ready";
    li.append(`${c.name} `, status);
    if (c.outboxBacklog !== undefined && c.outboxBacklog !== null) {
      const backlog = document.createElement("span");
      backlog.className = "backlog";
      backlog.textContent = ` outbox backlog ${c.outboxBacklog}`;
      li.append(backlog);
    }
    li.title = c.url;
    list.append(li);
  }
  // Messages per second: the growth of the end offsets since the last poll.
  const now = Date.now();
  const ends = new Map(flow.json.topics.map((t) => [t.name, t.partitions.reduce((n, p) => n + p.high, 0)]));
  const topics = $("#topic-rows");
  topics.replaceChildren();
  for (const t of flow.json.topics) {
    const row = topics.insertRow();
    row.dataset.topic = t.name;
    cell(row, t.name);
    cell(row, t.partitions.length, "num");
    cell(row, t.partitions.map((p) => p.high).join(" · "), "num");
    const before = operatorState.previous && operatorState.previous.ends.get(t.name);
    const rate = before === undefined || !operatorState.previous ? "–"
      : ((ends.get(t.name) - before) / ((now - operatorState.previous.at) / 1000)).toFixed(1);
    cell(row, rate, "num");
  }
  operatorState.previous = { at: now, ends };
  const lag = $("#lag-rows");
  lag.replaceChildren();
  for (const l of flow.json.lag) {
    const row = lag.insertRow();
    row.dataset.group = l.group;
    cell(row, l.group);
    cell(row, l.topic);
    cell(row, l.partition, "num");
    cell(row, l.committed, "num");
    cell(row, l.lag, "num");
  }
  $("#operator-at").textContent = `Updated ${new Date(flow.json.at).toLocaleTimeString()}.`;
}

async function showStory(event) {
  if (event) event.preventDefault();
  const form = $("#story-form");
  clearErrors(form);
  const q = form.elements.q.value.trim();
  try {
    const { json } = await api("GET", `/console/api/operator/story?${new URLSearchParams({ q })}`);
    const body = $("#story-rows");
    body.replaceChildren();
    for (const e of json.events) {
      const row = body.insertRow();
      cell(row, new Date(e.occurredOn).toLocaleString());
      cell(row, e.eventType.replace("IntegrationEvent", ""));
      cell(row, `${e.topic} · ${e.partition} · ${e.offset}`);
      cell(row, e.key);
      // A trace id leads to every event of the same request.
      const trace = row.insertCell();
      if (e.traceId) {
        const link = document.createElement("button");
        link.type = "button";
        link.className = "link";
        link.textContent = e.traceId;
        link.addEventListener("click", () => { form.elements.q.value = e.traceId; showStory(); });
        trace.append(link);
      }
    }
    $("#story-wrap").hidden = json.events.length === 0;
    $("#story-summary").textContent = json.events.length
      ? `${json.events.length} events of teacher ${json.teacherId}, oldest first.`
      : "No events found for this id.";
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    showErrors(form, error);
  }
}

function showOperator() {
  show("operator");
  stopOperator();
  refreshOperator().catch((error) => notice(error.message));
  operatorState.timer = setInterval(() => { refreshOperator().catch(() => {}); }, OPERATOR_INTERVAL_MS);
}

function stopOperator() {
  if (operatorState.timer) clearInterval(operatorState.timer);
  operatorState.timer = null;
  operatorState.previous = null;
}

// ------------------------------------------------------------ dead letters (Operator)

const REPLAY_LOG_INTERVAL_MS = 2000;
const dlqState = { timer: null, target: null, loads: 0 };

const plural = (n, noun) => `${n} ${noun}${n === 1 ? "" : "s"}`;
const placeText = (p) => `${p.topic} · ${p.partition} · ${p.offset}`;

function element(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

// Kafka headers as name and value pairs; the dead-letter ones stand out.
function headerList(headers) {
  const list = element("dl", "headers");
  for (const h of headers) list.append(element("dt", h.name.startsWith("dlq-") ? "dlq" : "", h.name), element("dd", "", h.value));
  return list;
}

// A dead letter as a card: where it is, why it failed, its headers and payload.
function letterCard(d) {
  const card = element("article", "letter card");
  card.dataset.topic = d.topic;
  card.dataset.offset = d.offset;
  const head = element("div", "letter-head");
  head.append(element("strong", "", placeText(d)));
  if (d.replayed) head.append(element("span", "badge Active", "Replayed"));
  const replay = button("Replay…", () => openReplay({ letter: d }), placeText(d));
  head.append(replay);
  card.append(head);
  const facts = element("dl", "facts");
  for (const [label, value] of [["Original", `${d.originalTopic} · ${d.originalPartition} · ${d.originalOffset}`],
    ["Consumer group", d.consumerGroup], ["Error", d.errorMessage], ["Attempts", d.attempts],
    ["Failed at", d.failedAt ? new Date(d.failedAt).toLocaleString() : ""], ["Key", d.key ?? "(none)"]]) {
    facts.append(element("dt", "", label), element("dd", "", String(value)));
  }
  if (d.replayed) {
    facts.append(element("dt", "", "Replayed"),
      element("dd", "", `by ${d.replayed.operatorName || d.replayed.operatorId} at ${new Date(d.replayed.requestedAt).toLocaleString()}`));
  }
  card.append(facts);
  const headers = element("details");
  headers.append(element("summary", "", `Headers (${d.headers.length})`));
  headers.append(headerList(d.headers));
  card.append(headers, element("pre", "payload", d.value));
  return card;
}

// Only the latest of overlapping loads renders (and ends the busy state).
async function loadDeadLetters() {
  const box = $("#dlq-classes");
  const load = ++dlqState.loads;
  box.setAttribute("aria-busy", "true");
  let json;
  try {
    ({ json } = await api("GET", "/console/api/operator/dead-letters"));
  } finally {
    if (load === dlqState.loads) box.setAttribute("aria-busy", "false");
  }
  if (load !== dlqState.loads) return;
  box.replaceChildren();
  let total = 0;
  for (const c of json.classes) {
    total += c.count;
    const section = element("section", "dlq-class");
    section.dataset.errorClass = c.errorClass;
    const head = element("div", "toolbar");
    head.append(element("h3", "", `${c.errorClass} · ${c.count}`),
      button("Replay class…", () => openReplay({ all: true, errorClass: c.errorClass }), c.errorClass));
    section.append(head, ...c.letters.map(letterCard));
    box.append(section);
  }
  $("#dlq-summary").textContent = total
    ? `${plural(total, "dead letter")} in ${plural(json.topics.length, "topic")}, by error class`
      + ` (${plural(json.scanned, "message")} read${json.complete ? "" : ", more not shown"}).`
    : `No dead letters (${plural(json.topics.length, "dead-letter topic")}).`;
}

const CONSUMER_STATES = { consumed: "Consumed", waiting: "Waiting", "dead-lettered-again": "Dead-lettered again", unknown: "–" };

async function loadReplayLog() {
  const { json } = await api("GET", "/console/api/operator/replays");
  const body = $("#replay-rows");
  body.replaceChildren();
  if (!json.items.length) {
    const c = body.insertRow().insertCell();
    c.colSpan = 6;
    c.className = "empty";
    c.textContent = "No replays yet.";
  }
  for (const r of json.items) {
    const row = body.insertRow();
    row.dataset.replayId = r.id;
    cell(row, new Date(r.requestedAt).toLocaleString(), "when");
    cell(row, r.operatorName || r.operatorId);
    cell(row, placeText(r.deadLetter));
    cell(row, `${r.eventId || "(no id)"}${r.fixed ? " · fixed copy" : ""}`);
    const outcome = row.insertCell();
    outcome.append(badge(r.outcome === "delivered" ? "Delivered" : r.outcome === "failed" ? "Failed" : "Pending"));
    if (r.delivered) outcome.append(` ${placeText(r.delivered)}`);
    if (r.error) outcome.append(` ${r.error}`);
    const consumer = row.insertCell();
    if (r.consumer) {
      consumer.append(element("span", `badge ${r.consumer.state}`, CONSUMER_STATES[r.consumer.state] || r.consumer.state));
      consumer.append(` ${r.consumerGroup}${r.consumer.detail ? ` · ${r.consumer.detail}` : ""}`);
    }
  }
}

function showDeadLetters() {
  show("dead-letters");
  stopReplayLog();
  Promise.all([loadDeadLetters(), loadReplayLog()]).catch((error) => notice(error.message));
  dlqState.timer = setInterval(() => { loadReplayLog().catch(() => {}); }, REPLAY_LOG_INTERVAL_MS);
}

function stopReplayLog() {
  if (dlqState.timer) clearInterval(dlqState.timer);
  dlqState.timer = null;
}

// The replay dialog: one dead letter (its payload editable) or all of a class.
function openReplay(target) {
  dlqState.target = target;
  const form = $("#replay-form");
  clearErrors(form);
  $("#replay-plan").replaceChildren();
  $("#replay-confirm").hidden = true;
  $("#replay-dry-run").hidden = false;
  $("#replay-edit").hidden = !target.letter;
  if (target.letter) {
    $("#replay-what").textContent = `${placeText(target.letter)} to ${target.letter.originalTopic}`;
    $("#replay-value").value = target.letter.value;
  } else {
    $("#replay-what").textContent = target.errorClass
      ? `Every dead letter of class ${target.errorClass}, each to its original topic.`
      : "Every dead letter, each to its original topic.";
  }
  $("#replay-dialog").showModal();
  (target.letter ? $("#replay-value") : $("#replay-dry-run")).focus();
}

function replayBody(dryRun) {
  const t = dlqState.target;
  const body = { dryRun, confirm: !dryRun };
  if (t.letter) {
    const value = $("#replay-value").value;
    const item = { topic: t.letter.topic, partition: t.letter.partition, offset: t.letter.offset };
    if (value !== t.letter.value) item.value = value;
    body.items = [item];
  } else {
    body.all = true;
    if (t.errorClass) body.errorClass = t.errorClass;
  }
  return body;
}

function renderPlan(json) {
  const box = $("#replay-plan");
  box.replaceChildren();
  const count = json.dryRun ? json.wouldReplay : json.replayed;
  box.append(element("p", "plan-summary", json.dryRun
    ? `Dry run: ${count} would be replayed, ${json.skipped} skipped. Nothing was sent.`
    : `${count} replayed, ${json.skipped} skipped.${count ? " What the consumers did shows in the replay log." : ""}`));
  const list = element("ul", "plan");
  for (const item of json.items) {
    const li = element("li");
    li.dataset.outcome = item.replay ? item.replay.outcome : item.skipped ? "skipped" : "planned";
    const what = `${placeText(item.deadLetter)}${item.eventId ? ` · event ${item.eventId}` : ""}`;
    if (item.skipped) li.textContent = `${what}: skipped. ${item.skipped}`;
    else if (!item.replay) li.textContent = `${what}: would go to ${item.message.topic} with emis-replay-of ${item.message.headers.find((h) => h.name === "emis-replay-of").value}.`;
    else if (item.replay.outcome === "delivered") li.textContent = `${what}: delivered to ${placeText(item.replay.delivered)}.`;
    else li.textContent = `${what}: ${item.replay.outcome}${item.replay.error ? ` (${item.replay.error})` : ""}.`;
    list.append(li);
  }
  box.append(list);
  return count;
}

async function runReplay(dryRun) {
  const form = $("#replay-form");
  clearErrors(form);
  try {
    const { json } = await api("POST", "/console/api/operator/dead-letters/replay", replayBody(dryRun));
    const count = renderPlan(json);
    const confirm = $("#replay-confirm");
    confirm.hidden = !dryRun || count === 0;
    confirm.textContent = `Confirm replay of ${count}`;
    if (!confirm.hidden) confirm.focus();
    if (!dryRun) {
      $("#replay-dry-run").hidden = true;
      await Promise.all([loadDeadLetters(), loadReplayLog()]);
    }
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    showErrors(form, error);
  }
}

// ------------------------------------------------------------ message search (Operator)

async function showSearch() {
  show("messages");
  try {
    const { json } = await api("GET", "/console/api/operator/topics");
    const select = $("#ms-topic");
    const chosen = select.value;
    select.replaceChildren(...json.topics.map((t) => new Option(t.name, t.name)));
    if (chosen) select.value = chosen;
    select.focus();
  } catch (error) {
    notice(error.message);
  }
}

async function searchMessages(event) {
  event.preventDefault();
  const form = event.target;
  clearErrors(form);
  const values = formValues(form);
  for (const name of ["from", "to"]) if (values[name]) values[name] = new Date(values[name]).toISOString();
  try {
    const { json } = await api("GET", `/console/api/operator/messages?${new URLSearchParams(values)}`);
    const body = $("#search-rows");
    body.replaceChildren();
    for (const m of json.items) {
      const row = body.insertRow();
      cell(row, m.timestamp ? new Date(m.timestamp).toLocaleString() : "", "when");
      cell(row, `${m.partition} · ${m.offset}`, "num");
      cell(row, m.key ?? "(none)", "key");
      cell(row, "", "headers").append(headerList(m.headers));
      row.insertCell().append(element("pre", "payload", m.value));
    }
    $("#search-wrap").hidden = json.items.length === 0;
    const shown = json.matched > json.items.length ? ` (first ${json.items.length} shown)` : "";
    $("#search-summary").textContent = `Scanned ${json.scanned} of ${json.inRange} messages in range`
      + `${json.complete ? "" : ` (stopped at the limit of ${json.limit})`}: ${json.matched} match${shown}.`;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    showErrors(form, error);
  }
}

function showTeachers() {
  show("teachers");
  loadTeachers().then(startLive).catch((error) => notice(error.message));
}

// ------------------------------------------------------------ wiring

async function signIn(event) {
  event.preventDefault();
  const form = event.target;
  clearErrors(form);
  try {
    const { json } = await api("POST", "/console/api/session", formValues(form));
    form.reset();
    notice("");
    signedIn(json);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    form.querySelector('[data-error-for="form"]').textContent =
      error.status === 401 ? "Wrong phone number or password." : error.message;
  }
}

async function activate(event) {
  event.preventDefault();
  const form = event.target;
  clearErrors(form);
  try {
    await api("POST", "/console/api/activation", formValues(form));
    form.hidden = true;
    $("#activate-done").hidden = false;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    showErrors(form, error);
  }
}

async function signOut() {
  try { await api("DELETE", "/console/api/session"); } finally { signedOut(); }
}

function wire() {
  $("#sign-in-form").addEventListener("submit", signIn);
  $("#activate-form").addEventListener("submit", activate);
  $("#teacher-form").addEventListener("submit", saveTeacher);
  $("#sign-out").addEventListener("click", signOut);
  $("#new-teacher").addEventListener("click", () => openTeacherDialog(null));
  $("#show-import").addEventListener("click", toggleImport);
  $("#to-operator").addEventListener("click", showOperator);
  $("#to-teachers").addEventListener("click", showTeachers);
  $("#to-dead-letters").addEventListener("click", showDeadLetters);
  $("#to-messages").addEventListener("click", showSearch);
  $("#dlq-refresh").addEventListener("click", () => loadDeadLetters().catch((error) => notice(error.message)));
  $("#dlq-replay-all").addEventListener("click", () => openReplay({ all: true }));
  $("#replay-dry-run").addEventListener("click", () => runReplay(true));
  $("#replay-confirm").addEventListener("click", () => runReplay(false));
  $("#replay-value").addEventListener("input", () => { $("#replay-confirm").hidden = true; });
  $("#message-search-form").addEventListener("submit", searchMessages);
  $("#story-form").addEventListener("submit", showStory);
  $("#import-form").addEventListener("submit", runImport);
  $("#download-failed").addEventListener("click", downloadFailedRows);
  $("#search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    state.search = $("#search").value.trim();
    state.page = 1;
    loadTeachers();
  });
  $("#prev-page").addEventListener("click", () => { state.page -= 1; loadTeachers(); });
  $("#next-page").addEventListener("click", () => { state.page += 1; loadTeachers(); });
  document.querySelectorAll("dialog [data-close]").forEach((b) =>
    b.addEventListener("click", () => b.closest("dialog").close()));
}

async function start() {
  wire();
  if (location.pathname === "/activate") {
    show("activate");
    return;
  }
  try {
    const { json } = await api("GET", "/console/api/session");
    signedIn(json);
  } catch {
    signedOut();
  }
}

start();
