// The case page's scan jobs: start a scan and cancel one through the API (with the session's
// CSRF token), and follow progress by polling the jobs' JSON twin while any job is active.
// No framework; nothing loaded from elsewhere.
"use strict";
(function () {
  const section = document.getElementById("scans");
  if (!section) return;
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const body = section.querySelector("#jobs tbody");
  const canCancel = section.dataset.canCancel === "yes";
  const ACTIVE = ["queued", "running", "cancelling"];
  const format = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
    timeZoneName: "short",
  });
  let seenActive = new Set();
  let timer = null;

  function cell(row, child) {
    const td = document.createElement("td");
    if (child) td.append(child);
    row.append(td);
    return td;
  }
  function text(tag, value, cls) {
    const el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  }
  function render(job) {
    const row = document.createElement("tr");
    row.dataset.job = job.id;
    row.dataset.state = job.state;
    const state = cell(row, text("span", job.state, "pill job-state " + job.state));
    if (job.problem) state.append(text("div", job.problem, "muted problem"));
    const bar = document.createElement("progress");
    bar.max = job.progress.files_total || 1;
    bar.value = job.progress.files_done;
    const progress = cell(row, bar);
    progress.append(" ", text("span", job.progress.files_done + " / " + job.progress.files_total + " files", "count"));
    cell(row, text("code", job.arguments.path || "", "hash"));
    const at = new Date(job.submitted_at);
    const time = text("time", isNaN(at) ? job.submitted_at : format.format(at));
    time.dateTime = job.submitted_at;
    // UTC on hover, as the pages' ``when`` macro writes it.
    time.title = isNaN(at) ? job.submitted_at : at.toISOString().slice(0, 19).replace("T", " ") + " UTC";
    cell(row, time);
    cell(row, text("span", job.submitted_by));
    const actions = cell(row);
    if (canCancel && (job.state === "queued" || job.state === "running")) {
      const button = text("button", "Cancel", "cancel");
      button.type = "button";
      button.dataset.url = "/api/v1/jobs/" + job.id + "/cancel";
      actions.append(button);
    }
    return row;
  }
  async function refresh() {
    timer = null;
    let answer;
    try {
      answer = await fetch(section.dataset.jobsUrl, { headers: { Accept: "application/json" } });
    } catch (_) {
      schedule(5000);
      return;
    }
    if (!answer.ok) { schedule(5000); return; }
    const page = await answer.json();
    body.replaceChildren(...page.items.map(render));
    if (!page.items.length) {
      const none = document.createElement("tr");
      none.className = "none";
      cell(none, text("span", "No scans yet.", "muted")).colSpan = 6;
      body.append(none);
    }
    const active = new Set(page.items.filter((j) => ACTIVE.includes(j.state)).map((j) => j.id));
    const finishedDone = page.items.some((j) => seenActive.has(j.id) && j.state === "done");
    seenActive = active;
    if (finishedDone) {
      // A finished scan added an exhibit and media: show them.
      window.location.reload();
      return;
    }
    if (active.size) schedule(1000);
  }
  function schedule(ms) {
    if (timer === null) timer = window.setTimeout(refresh, ms);
  }

  for (const row of body.querySelectorAll("tr[data-job]")) {
    if (ACTIVE.includes(row.dataset.state)) seenActive.add(row.dataset.job);
  }
  if (seenActive.size) schedule(1000);

  body.addEventListener("click", async (e) => {
    const button = e.target.closest("button.cancel");
    if (!button) return;
    button.disabled = true;
    await fetch(button.dataset.url, { method: "POST", headers: { "X-CSRF-Token": csrf } });
    if (timer !== null) { window.clearTimeout(timer); timer = null; }
    refresh();
  });

  const form = document.getElementById("scan-form");
  if (form) {
    const error = document.getElementById("scan-error");
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      error.hidden = true;
      const exhibit = form.elements.exhibit.value.trim();
      const answer = await fetch(form.dataset.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ path: form.elements.path.value.trim(), exhibit: exhibit || null }),
      });
      if (!answer.ok) {
        let detail = "The scan was refused (" + answer.status + ").";
        try { detail = (await answer.json()).detail || detail; } catch (_) { /* not JSON */ }
        error.textContent = detail;
        error.hidden = false;
        return;
      }
      const job = await answer.json();
      seenActive.add(job.id);
      form.reset();
      if (timer !== null) { window.clearTimeout(timer); timer = null; }
      refresh();
    });
  }
})();
