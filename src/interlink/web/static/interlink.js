// Interlink's pages: local times, keyboard moves, logout, and the audited reveal.
// No framework; nothing loaded from elsewhere.
"use strict";
(function () {
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  // Times: the user's time zone in the text, UTC on hover (the title).
  const format = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "short", day: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short",
  });
  for (const t of document.querySelectorAll("time[datetime]")) {
    const at = new Date(t.getAttribute("datetime"));
    if (!isNaN(at)) t.textContent = format.format(at);
  }

  // Keyboard: j/k move through the rows, Enter opens, / filters, ? helps, g c / g d go.
  const rows = Array.from(document.querySelectorAll("[data-rows] tbody tr, [data-rows] > li.item"));
  let current = -1;
  function select(i) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((r, n) => r.classList.toggle("selected", n === current));
    rows[current].setAttribute("aria-selected", "true");
    rows[current].scrollIntoView({ block: "nearest" });
  }
  function open() {
    if (current < 0) return;
    const link = rows[current].querySelector("a[href]");
    if (link) window.location.assign(link.href);
  }
  const help = document.getElementById("help");
  let pendingG = false;
  document.addEventListener("keydown", (e) => {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName);
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    if (pendingG) {
      pendingG = false;
      if (e.key === "c") window.location.assign("/cases");
      if (e.key === "d") window.location.assign("/dashboard");
      return;
    }
    switch (e.key) {
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "Enter": if (current >= 0) { e.preventDefault(); open(); } break;
      case "/": { const q = document.getElementById("q"); if (q) { e.preventDefault(); q.focus(); } break; }
      case "?": if (help && !help.open) help.showModal(); break;
      case "g": pendingG = true; break;
      default: return;
    }
  });
  for (const r of rows) {
    r.addEventListener("click", (e) => {
      if (e.target.closest("a")) return;
      select(rows.indexOf(r));
    });
  }

  // Logout goes through the API (with the session's CSRF token).
  const logout = document.getElementById("logout");
  if (logout) {
    logout.addEventListener("click", async () => {
      await fetch("/api/v1/auth/logout", { method: "POST", headers: { "X-CSRF-Token": csrf } });
      window.location.assign("/login");
    });
  }

  // Reveal: the API records the reason; the clear view lives only in this page's memory
  // and is dropped when the user hides it or leaves the page.
  const form = document.getElementById("reveal-form");
  const picture = document.getElementById("picture");
  if (form && picture) {
    const state = document.getElementById("view-state");
    const hide = document.getElementById("hide");
    const error = document.getElementById("reveal-error");
    let clear = null;
    function blur() {
      if (clear) URL.revokeObjectURL(clear);
      clear = null;
      picture.src = picture.dataset.blurred;
      picture.classList.add("blur");
      state.textContent = "Blurred and greyscale";
      hide.hidden = true;
    }
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      error.hidden = true;
      const reason = document.getElementById("reason").value;
      const answer = await fetch(form.dataset.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ reason: reason }),
      });
      if (!answer.ok) {
        let detail = "The reveal was refused (" + answer.status + ").";
        try { detail = (await answer.json()).detail || detail; } catch (_) { /* not JSON */ }
        error.textContent = detail;
        error.hidden = false;
        return;
      }
      if (clear) URL.revokeObjectURL(clear);
      clear = URL.createObjectURL(await answer.blob());
      picture.src = clear;
      picture.classList.remove("blur");
      state.textContent = "Revealed: recorded in the audit log with your reason";
      hide.hidden = false;
      hide.focus();
    });
    hide.addEventListener("click", blur);
    window.addEventListener("pagehide", blur);
    document.addEventListener("visibilitychange", () => { if (document.hidden) blur(); });
  }
})();
