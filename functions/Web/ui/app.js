// The Snapshots page (DATA > Snapshots): plain JavaScript over the HTTP API, no build step, no CDN.
"use strict";

const TOKEN_KEY = "snapshots.token";
const view = document.getElementById("view");
let environment = null;
let pollTimer = null;

class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = "Bearer " + token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch("/api" + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 204) return null;
  const json = (response.headers.get("content-type") || "").includes("json") ? await response.json() : null;
  if (!response.ok) throw new ApiError(response.status, (json && (json.detail || json.title)) || response.statusText);
  return json;
}

// Builds an element; strings become text nodes, so nothing from the API is ever parsed as HTML.
function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// Replaces the main view; null and false children (conditional parts) are left out.
function render(...children) {
  view.replaceChildren(...children.flat().filter(child => child !== null && child !== undefined && child !== false));
}

function show(message, kind) {
  const box = document.getElementById("message");
  box.textContent = message;
  box.className = kind || "";
  box.hidden = !message;
}

function explain(error) {
  if (!(error instanceof ApiError)) return "The service cannot be reached: " + error.message;
  if (error.status === 401) return "Please sign in: " + error.message;
  if (error.status === 403) return "You are not allowed to do this: " + error.message;
  return error.message;
}

// Runs an action and turns any refusal into a readable message instead of a broken page.
async function attempt(action) {
  try {
    show("");
    return await action();
  } catch (error) {
    show(explain(error));
    if (error instanceof ApiError && error.status === 401) renderSignIn();
    return undefined;
  }
}

const formatDate = value => value ? new Date(value).toISOString().replace("T", " ").slice(0, 19) + " UTC" : "";
const formatBytes = bytes => bytes == null ? "" : bytes < 1024 * 1024 ? (bytes / 1024).toFixed(1) + " KB" : (bytes / 1024 / 1024).toFixed(1) + " MB";
const can = (project, permission) => project.access && project.access.permissions.includes(permission);

function confirmDialog(text, okLabel = "Delete", details = null) {
  const dialog = document.getElementById("confirm");
  document.getElementById("confirm-text").textContent = text;
  document.getElementById("confirm-details").replaceChildren(...(details ? [details] : []));
  document.getElementById("confirm-ok").textContent = okLabel;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise(resolve => dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true }));
}

function pollWhile(condition, refresh) {
  clearTimeout(pollTimer);
  if (condition) pollTimer = setTimeout(refresh, 1000);
}

// --- Sign-in -------------------------------------------------------------------------------------------------

async function signIn() {
  if (sessionStorage.getItem(TOKEN_KEY)) return true;
  // The local runtime hands out its development token to pages on loopback; in Azure this answers 404.
  try {
    const response = await fetch("/local/development-token");
    if (response.ok) {
      sessionStorage.setItem(TOKEN_KEY, (await response.text()).trim());
      return true;
    }
  } catch {
    // not the local runtime
  }
  return false;
}

function renderSignIn() {
  clearTimeout(pollTimer);
  const input = h("textarea", { id: "token", rows: 4, cols: 70, placeholder: "Paste a bearer token" });
  render(
    h("h1", {}, "Sign in"),
    h("form", { class: "card", onsubmit: async event => {
      event.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, input.value.trim());
      await start();
    } }, input, h("p", {}, h("button", { class: "primary", type: "submit" }, "Sign in"))));
}

async function renderWho() {
  environment = await api("GET", "/environment");
  document.getElementById("who").replaceChildren(
    (environment.caller.name || environment.caller.userId) + (environment.caller.isAdmin ? " (admin)" : ""),
    h("button", { id: "sign-out", onclick: () => { sessionStorage.removeItem(TOKEN_KEY); renderSignIn(); } }, "Sign out"));
  document.getElementById("restores-link").hidden = !environment.restoreAcrossEnvironments;
}

// --- Projects ------------------------------------------------------------------------------------------------

async function listProjects() {
  const page = await api("GET", "/projects?pageSize=1000");
  return page.items;
}

// The list shows at once from the project index; each row's counts and role follow from its own GET, a few at a
// time, so an environment with many projects neither waits for every count nor floods the service.
const DETAIL_REQUESTS_AT_ONCE = 4;

async function renderProjects() {
  const projects = await listProjects();
  const cells = new Map();
  render(
    h("h1", {}, "Projects"),
    h("table", { id: "projects" },
      h("tr", {}, h("th", {}, "Project"), h("th", {}, "Documents"), h("th", {}, "Annotations"), h("th", {}, "Labels"), h("th", {}, "AIs"), h("th", {}, "Your role")),
      projects.map(p => {
        const details = [0, 1, 2, 3, 4].map(() => h("td", { class: "muted" }, "…"));
        cells.set(p.id, details);
        return h("tr", { dataset: { projectId: p.id } }, h("td", {}, h("a", { href: "#/projects/" + p.id }, p.name)), details);
      })));
  const shown = location.hash;
  const queue = [...projects];
  const fill = async () => {
    for (let p = queue.shift(); p && location.hash === shown; p = queue.shift()) {
      const details = cells.get(p.id);
      try {
        const project = await api("GET", "/projects/" + encodeURIComponent(p.id));
        const values = [project.counts.documents, project.counts.annotations, project.counts.labels, project.counts.ais, project.access ? project.access.role : ""];
        details.forEach((cell, i) => { cell.textContent = String(values[i]); cell.className = ""; });
      } catch (error) {
        details[0].textContent = explain(error);
      }
    }
  };
  await Promise.all(Array.from({ length: DETAIL_REQUESTS_AT_ONCE }, fill));
}

// --- A project's snapshots -----------------------------------------------------------------------------------

async function renderProject(projectId) {
  const [project, page, projects] = await Promise.all([
    api("GET", "/projects/" + encodeURIComponent(projectId)),
    api("GET", "/projects/" + encodeURIComponent(projectId) + "/snapshots?pageSize=100"),
    listProjects(),
  ]);
  const others = projects.filter(p => p.id !== projectId);
  render(
    h("h1", {}, project.name, " ", h("span", { class: "muted" }, "Snapshots")),
    can(project, "add snapshot") ? addSnapshotForm(projectId) : null,
    h("table", { id: "snapshots" },
      h("tr", {}, ["Status", "Modes", "Created at", "Size", "Identifier", "Description", ""].map(title => h("th", {}, title))),
      page.items.map(snapshot => snapshotRow(project, snapshot, others))),
    page.items.length === 0 ? h("p", { class: "muted" }, "No snapshots yet.") : null,
    can(project, "view audit") ? auditCard(projectId) : null);
  pollWhile(page.items.some(s => s.status === "creating") && location.hash === "#/projects/" + projectId, () => route());
}

function addSnapshotForm(projectId) {
  const dataset = h("input", { type: "checkbox", id: "mode-dataset", checked: true });
  const ai = h("input", { type: "checkbox", id: "mode-ai" });
  const description = h("input", { type: "text", id: "description", size: 50, maxlength: 2000, placeholder: "Description (optional)" });
  const submit = h("button", { class: "primary", type: "submit", id: "add-snapshot" }, "Add snapshot");
  const sync = () => { submit.disabled = !dataset.checked && !ai.checked; };
  dataset.addEventListener("change", sync);
  ai.addEventListener("change", sync);
  return h("form", { class: "card", onsubmit: event => {
    event.preventDefault();
    const modes = [dataset.checked && "dataset", ai.checked && "ai"].filter(Boolean);
    attempt(async () => {
      await api("POST", "/projects/" + encodeURIComponent(projectId) + "/snapshots", { modes, description: description.value || null });
      await route();
    });
  } }, h("label", {}, dataset, " Dataset"), " ", h("label", {}, ai, " AI"), " ", description, " ", submit);
}

function snapshotRow(project, snapshot, others) {
  const created = snapshot.status === "created";
  const target = h("select", { class: "merge-target" }, h("option", { value: "" }, "Merge into…"), others.map(p => h("option", { value: p.id }, p.name)));
  const actions = [];
  if (created && can(project, "add snapshotrestore")) {
    actions.push(h("button", { class: "restore", onclick: () => restore(snapshot, {}) }, "Restore into new project"));
    actions.push(target, h("button", { class: "merge", onclick: () => target.value
      ? merge(snapshot, target.value, target.selectedOptions[0].textContent)
      : show("Pick the project to merge into.") }, "Merge"));
  }
  if (created) actions.push(h("button", { class: "download", onclick: () => download(snapshot) }, "Download .zip"));
  if (created) actions.push(h("button", { class: "download-konfuzio", title: "A Konfuzio SDK project folder (current layout), zipped",
    onclick: () => download(snapshot, "konfuzio") }, "Download for Konfuzio"));
  if (can(project, "change snapshot")) actions.push(h("button", { class: "edit", onclick: () => editDescription(snapshot) }, "Edit description"));
  if (can(project, "delete snapshot")) actions.push(h("button", { class: "delete danger", onclick: () => remove(snapshot) }, "Delete"));
  return h("tr", { dataset: { snapshotId: snapshot.id } },
    h("td", { class: "status status-" + snapshot.status }, snapshot.statusText, snapshot.failureReason ? h("div", { class: "muted" }, snapshot.failureReason) : null),
    h("td", {}, snapshot.modes.join(", ")),
    h("td", {}, formatDate(snapshot.createdAt)),
    h("td", {}, formatBytes(snapshot.bytes)),
    h("td", {}, h("a", { href: "#/snapshots/" + snapshot.id }, h("code", { class: "identifier" }, snapshot.identifier)), " ",
      h("button", { class: "copy", title: "Copy identifier", onclick: () => copy(snapshot.identifier) }, "Copy")),
    h("td", { class: "description" }, snapshot.description || ""),
    h("td", {}, actions));
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    show("Identifier copied.", "info");
  } catch {
    window.prompt("Copy the identifier:", text);
  }
}

function restore(snapshot, body) {
  return attempt(async () => {
    await api("POST", "/snapshots/" + encodeURIComponent(snapshot.id) + "/restores", body);
    location.hash = "#/snapshots/" + snapshot.id;
  });
}

// A merge changes a project that is in use: its dry run shows what it would do, and it starts only once confirmed.
async function merge(snapshot, targetProjectId, targetName) {
  const path = "/snapshots/" + encodeURIComponent(snapshot.id) + "/restores";
  // The dry run reads the whole archive and the target; on a large project it takes a while.
  show(`Working out what merging ${snapshot.identifier} into ${targetName} would do…`);
  const plan = await attempt(() => api("POST", path, { targetProjectId, dryRun: true }));
  if (!plan) return;
  show("");
  if (plan.refused) {
    show("This merge would be refused: " + plan.refusals.join(" "));
    return;
  }
  const confirmed = await confirmDialog(`Merge snapshot ${snapshot.identifier} into ${targetName}? It would do this:`, "Merge", planView(plan));
  if (confirmed) await restore(snapshot, { targetProjectId });
}

function planView(plan) {
  const report = plan.report;
  const aisLeftOut = plan.leftOut.filter(l => l.kind === "ai").length;
  const row = (kind, created, matched, conflicts, leftOut) => h("tr", { dataset: { kind } },
    h("td", {}, kind), ...[created, matched, conflicts, leftOut].map(v => h("td", { class: "number" }, v == null ? "" : String(v))));
  const schemaRow = (kind, name) => row(name, report[kind].created, report[kind].matched, report[kind].conflicts.length, null);
  const conflicts = ["categories", "labelSets", "labels"].flatMap(kind => report[kind].conflicts);
  return h("div", { class: "plan" },
    h("table", {},
      h("tr", {}, h("th", {}, ""), ...["would create", "matched", "conflicts", "left out"].map(t => h("th", { class: "number" }, t))),
      schemaRow("categories", "categories"), schemaRow("labelSets", "label sets"), schemaRow("labels", "labels"),
      row("documents", report.documents), row("annotation sets", report.annotationSets), row("annotations", report.annotations),
      row("AIs", report.ais, null, null, aisLeftOut), row("files", report.files, null, null, plan.filesLeftOut),
      row("bytes", formatBytes(plan.bytes), null, null, formatBytes(plan.bytesLeftOut))),
    conflicts.length ? h("ul", { class: "conflicts" }, conflicts.map(c => h("li", {}, `${c.kind} '${c.name}': ${c.reason}`,
      c.differences.length ? " (" + c.differences.map(d => `${d.property}: ${JSON.stringify(d.archive ?? null)} here, ${JSON.stringify(d.target ?? null)} in the target`).join("; ") + ")" : ""))) : null,
    plan.leftOut.length ? h("ul", { class: "left-out" }, plan.leftOut.map(l => h("li", {}, `Left out: ${l.kind} '${l.name}': ${l.reason}`))) : null);
}

function cancelRestore(restore) {
  if (!window.confirm("Cancel this restore? It stops at its next step and removes what it wrote; the project stays as it was.")) return undefined;
  return attempt(async () => {
    await api("POST", "/restores/" + encodeURIComponent(restore.id) + "/cancel");
    await route();
  });
}

function editDescription(snapshot) {
  const text = window.prompt("Description", snapshot.description || "");
  if (text === null) return undefined;
  return attempt(async () => {
    await api("PATCH", "/snapshots/" + encodeURIComponent(snapshot.id), { description: text || null });
    await route();
  });
}

async function remove(snapshot) {
  const confirmed = await confirmDialog(
    `Delete snapshot ${snapshot.identifier}? This is irrevocable: the archive is gone for good. Projects restored from it are unaffected.`);
  if (!confirmed) return;
  await attempt(async () => {
    await api("DELETE", "/snapshots/" + encodeURIComponent(snapshot.id));
    await route();
    show("Snapshot deleted.", "info");
  });
}

// Downloads with the bearer token (a plain link could not carry it), streaming into a file the browser saves.
function download(snapshot, format) {
  return attempt(async () => {
    const response = await fetch("/api/snapshots/" + encodeURIComponent(snapshot.id) + "/download" + (format ? "?format=" + format : ""),
      { headers: { Authorization: "Bearer " + sessionStorage.getItem(TOKEN_KEY) } });
    if (!response.ok) throw new ApiError(response.status, (await response.json()).detail);
    const name = /filename="?([^";]+)"?/.exec(response.headers.get("content-disposition") || "");
    const url = URL.createObjectURL(await response.blob());
    h("a", { href: url, download: name ? name[1] : snapshot.identifier + ".zip" }).click();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  });
}

// --- A project's audit log (owners) ---------------------------------------------------------------------------

// Newest first, a page at a time; "More" follows the continuation token.
function auditCard(projectId) {
  const rows = h("tbody");
  const empty = h("p", { class: "muted", hidden: true }, "Nothing recorded yet.");
  const more = h("button", { id: "audit-more", hidden: true }, "More");
  let token = null;
  const load = () => attempt(async () => {
    const page = await api("GET", "/projects/" + encodeURIComponent(projectId) + "/audit?pageSize=20" +
      (token ? "&continuationToken=" + encodeURIComponent(token) : ""));
    rows.append(...page.items.map(auditRow));
    token = page.continuationToken || null;
    more.hidden = !token;
    empty.hidden = rows.children.length > 0;
  });
  more.addEventListener("click", load);
  load();
  return h("div", { class: "card audit" }, h("h2", {}, "Audit log"),
    h("table", { id: "audit" }, h("thead", {}, h("tr", {}, ["When", "User", "Operation", "Targets", "Outcome", "Status"].map(t => h("th", {}, t)))), rows),
    empty, more);
}

function auditRow(entry) {
  return h("tr", { dataset: { auditId: entry.id } },
    h("td", {}, formatDate(entry.at)),
    h("td", {}, entry.userId || h("span", { class: "muted" }, "no valid token"), entry.roles.length ? h("div", { class: "muted" }, entry.roles.join(", ")) : null),
    h("td", {}, entry.operation, h("div", { class: "muted" }, entry.method + " " + entry.path)),
    h("td", { class: "muted" }, Object.entries(entry.targets).map(([name, id]) => name + " " + id).join(", ")),
    h("td", { class: "outcome outcome-" + entry.outcome }, entry.outcome, entry.reason ? h("div", { class: "muted" }, entry.reason) : null),
    h("td", {}, String(entry.status)));
}

// --- A snapshot and its restores -----------------------------------------------------------------------------

async function renderSnapshot(snapshotId) {
  const [snapshot, restores] = await Promise.all([
    api("GET", "/snapshots/" + encodeURIComponent(snapshotId)),
    api("GET", "/snapshots/" + encodeURIComponent(snapshotId) + "/restores"),
  ]);
  const counts = snapshot.counts || {};
  render(
    h("h1", {}, "Snapshot ", h("code", { class: "identifier" }, snapshot.identifier)),
    h("p", {}, h("a", { href: "#/projects/" + snapshot.projectId }, "← " + snapshot.projectName)),
    h("div", { class: "card" },
      h("div", { class: "status status-" + snapshot.status }, snapshot.statusText),
      h("div", { class: "muted" }, `${snapshot.modes.join(", ")} · ${formatDate(snapshot.createdAt)} · ${formatBytes(snapshot.bytes)} · ` +
        `${counts.documents ?? 0} documents, ${counts.annotations ?? 0} annotations, ${counts.ais ?? 0} AIs`),
      snapshot.description ? h("p", {}, snapshot.description) : null,
      snapshot.warnings.map(w => h("p", { class: "muted" }, "⚠ " + w))),
    snapshot.status === "created" ? verificationCard(snapshot) : null,
    snapshot.status === "created" ? await compareCard(snapshot) : null,
    h("h2", {}, "Restores"),
    restores.items.length === 0 ? h("p", { class: "muted" }, "Not restored yet.") : h("div", { id: "restores" }, restores.items.map(restoreCard)));
  pollWhile((restores.items.some(unfinished) || snapshot.verification?.status === "running") && location.hash === "#/snapshots/" + snapshotId, () => route());
}

// The latest verification of the stored archive, and buttons to run one: checksums, or a restore drill.
function verificationCard(snapshot) {
  const v = snapshot.verification;
  const verify = mode => attempt(async () => {
    await api("POST", "/snapshots/" + encodeURIComponent(snapshot.id) + "/verify", { mode });
    await route();
  });
  const running = v?.status === "running";
  return h("div", { class: "card verification" }, h("h2", {}, "Verification"),
    v ? h("div", { class: "status status-" + (v.status === "passed" ? "created" : v.status === "failed" ? "failed" : "creating"), id: "verification-status" },
      `${v.mode === "drill" ? "Restore drill" : "Checksums"} ${v.status}`,
      h("span", { class: "muted" }, ` · ${formatDate(v.startedAt)}` + (v.durationSeconds != null ? ` · ${v.durationSeconds} s` : "") +
        (v.entries != null ? ` · ${v.entries} entries` : "") + (v.scheduled ? " · scheduled" : ""))) :
      h("p", { class: "muted" }, "Never verified."),
    v?.failures?.length ? h("ul", { id: "verification-failures" }, v.failures.map(f => h("li", {}, f))) : null,
    h("button", { id: "verify-checksums", disabled: running, title: "Re-read every entry of the stored archive against its manifest",
      onclick: () => verify("checksums") }, "Verify checksums"), " ",
    h("button", { id: "verify-drill", disabled: running, title: "Also restore it into a hidden project, compare every entity, and delete the project",
      onclick: () => verify("drill") }, "Run restore drill"));
}

// Compare with the project as it is now or with another snapshot of it: counts per kind and the first names.
async function compareCard(snapshot) {
  const others = (await api("GET", "/projects/" + encodeURIComponent(snapshot.projectId) + "/snapshots?pageSize=100")).items
    .filter(s => s.id !== snapshot.id && s.status === "created");
  const withWhat = h("select", { id: "compare-with" }, h("option", { value: "project" }, "the project as it is now"),
    others.map(s => h("option", { value: s.id }, `snapshot ${s.identifier} (${formatDate(s.createdAt)})`)));
  const result = h("div", { id: "compare-result" });
  const names = (kind, key, sign) => kind[key].map(n => sign + n);
  return h("div", { class: "card compare" }, h("h2", {}, "Compare"),
    "With ", withWhat, " ",
    h("button", { id: "compare", onclick: () => attempt(async () => {
      const comparison = await api("GET", "/snapshots/" + encodeURIComponent(snapshot.id) + "/compare?with=" + encodeURIComponent(withWhat.value) + "&names=5");
      result.replaceChildren(
        h("p", { class: "muted" }, comparison.identical ? "Identical." : "What changed from this snapshot:"),
        h("table", {}, h("tr", {}, ["", "added", "removed", "changed", "first names"].map(t => h("th", {}, t))),
          Object.entries(comparison.kinds).map(([kind, c]) => h("tr", { dataset: { kind } },
            h("td", {}, kind), h("td", {}, String(c.added)), h("td", {}, String(c.removed)), h("td", {}, String(c.changed)),
            h("td", { class: "muted" }, [...names(c, "addedNames", "+"), ...names(c, "removedNames", "−"), ...names(c, "changedNames", "~")].join(", "))))));
    }) }, "Compare"),
    result);
}

const unfinished = restore => restore.status === "queuing" || restore.status === "inProgress";

function restoreCard(restore) {
  const progress = restore.progress;
  const documents = progress ? progress.documents : { done: 0, total: 0 };
  const report = restore.report;
  return h("div", { class: "card restore", dataset: { restoreId: restore.id } },
    h("div", { class: "status status-" + restore.status }, restore.statusText),
    h("div", {}, restore.merge ? "Merged into " : "New project ", h("a", { class: "project-link", href: "#/projects/" + restore.projectId }, restore.projectName)),
    unfinished(restore) ? h("button", { class: "cancel danger", onclick: () => cancelRestore(restore) }, "Cancel restore") : null,
    unfinished(restore) ? h("div", { class: "progress" },
      h("progress", { max: Math.max(documents.total, 1), value: documents.done }), " ",
      progress ? h("span", { class: "muted counters" },
        `${progress.stage}: documents ${progress.documents.done}/${progress.documents.total}, annotation sets ${progress.annotationSets.done}/${progress.annotationSets.total}, ` +
        `annotations ${progress.annotations.done}/${progress.annotations.total}, AIs ${progress.ais.done}/${progress.ais.total}, files ${progress.files.done}/${progress.files.total}`) : null) : null,
    report ? h("div", { class: "report" },
      h("table", {},
        h("tr", {}, h("th", {}, ""), h("th", {}, "created"), h("th", {}, "matched"), h("th", {}, "conflicts")),
        [["Categories", report.categories], ["Label sets", report.labelSets], ["Labels", report.labels]].map(([name, kind]) =>
          h("tr", {}, h("td", {}, name), h("td", {}, kind.created), h("td", {}, kind.matched), h("td", {}, kind.conflicts.length)))),
      h("p", { class: "muted" }, `${report.documents} documents, ${report.annotationSets} annotation sets, ${report.annotations} annotations, ${report.ais} AIs, ${report.files} files restored.`),
      report.labels.conflicts.concat(report.labelSets.conflicts, report.categories.conflicts).map(c => h("p", { class: "muted" }, `${c.kind} '${c.name}': ${c.reason}`)),
      (report.notes || []).map(note => h("p", { class: "muted" }, note))) : null,
    restore.error ? h("p", { class: "status-contactSupport" }, restore.error) : null,
    restore.revertible ? h("button", { class: "revert danger", onclick: () => revertRestore(restore) }, "Revert") : null,
    restore.reverted ? h("p", { class: "reverted muted" }, `Reverted ${formatDate(restore.reverted.at)}` + (restore.reverted.by ? ` by ${restore.reverted.by}` : "") + ": " +
      Object.entries(restore.reverted.removed).map(([kind, count]) => `${count} ${kind}`).join(", ") + " removed" +
      (restore.reverted.projectDeleted ? "; the project it made was deleted." : ".")) : null);
}

async function revertRestore(restore) {
  const what = restore.merge
    ? `Revert the merge into ${restore.projectName}? Exactly what it added goes again (documents, annotations, AIs, labels, files); it is refused if any of that was changed since.`
    : `Revert this restore? The project ${restore.projectName} it made is deleted with everything in it that the restore added; it is refused if any of that was changed since.`;
  if (!await confirmDialog(what, "Revert")) return;
  await attempt(async () => {
    await api("POST", "/restores/" + encodeURIComponent(restore.id) + "/revert");
    await route();
    show("Restore reverted.", "info");
  });
}

// --- Restore by identifier (cross-environment) ---------------------------------------------------------------

async function renderRestores() {
  if (!environment.restoreAcrossEnvironments) {
    render(h("p", {}, "Restore by identifier is not enabled in this environment."));
    return;
  }
  const projects = await listProjects();
  const identifier = h("input", { type: "text", id: "restore-identifier", size: 40, placeholder: "Snapshot identifier" });
  const target = h("select", { id: "restore-target" }, h("option", { value: "" }, "into a new project"), projects.map(p => h("option", { value: p.id }, "merged into " + p.name)));
  const result = h("div", { id: "restore-result" });
  render(
    h("h1", {}, "Restores"),
    h("form", { class: "card", onsubmit: event => {
      event.preventDefault();
      attempt(async () => {
        const body = { identifier: identifier.value.trim(), targetProjectId: target.value || null };
        if (body.targetProjectId) {
          // Every merge shows its dry run first and starts only once confirmed.
          const plan = await api("POST", "/restores", { ...body, dryRun: true });
          if (plan.refused) return show("This merge would be refused: " + plan.refusals.join(" "));
          if (!await confirmDialog(`Merge ${body.identifier} into ${target.selectedOptions[0].textContent.replace(/^merged into /, "")}? It would do this:`, "Merge", planView(plan))) return undefined;
        }
        const started = await api("POST", "/restores", body);
        await followRestore(started.id, result);
      });
    } }, identifier, " ", target, " ", h("button", { class: "primary", type: "submit" }, "Restore")),
    result);
}

async function followRestore(restoreId, container) {
  const restore = await api("GET", "/restores/" + encodeURIComponent(restoreId));
  container.replaceChildren(restoreCard(restore));
  pollWhile(unfinished(restore) && location.hash === "#/restores", () => attempt(() => followRestore(restoreId, container)));
}

// --- Routing -------------------------------------------------------------------------------------------------

async function route() {
  clearTimeout(pollTimer);
  const [, section, id] = location.hash.split("/");
  await attempt(async () => {
    if (section === "projects" && id) await renderProject(decodeURIComponent(id));
    else if (section === "snapshots" && id) await renderSnapshot(decodeURIComponent(id));
    else if (section === "restores") await renderRestores();
    else await renderProjects();
  });
}

async function start() {
  if (!(await signIn())) {
    renderSignIn();
    return;
  }
  if ((await attempt(async () => { await renderWho(); return true; })) !== true) return;
  await route();
}

window.addEventListener("hashchange", route);
start();
