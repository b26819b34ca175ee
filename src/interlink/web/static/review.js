// The review queue: r marks the selected item (or every item of a folded series) reviewed for
// you, or new again, through the API (stored and audited), then moves to the next item; v
// goes to the selected item's category vote.
// No framework; nothing loaded from elsewhere.
"use strict";
(function () {
  const queue = document.getElementById("queue");
  if (!queue) return;
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const counter = document.querySelector("#new-count strong");

  async function toggle(row) {
    const reviewed = row.dataset.reviewed !== "yes";
    const shas = row.dataset.sha.split(" ").filter(Boolean);
    for (const sha of shas) {
      const answer = await fetch(row.dataset.url.replace("{sha}", sha), {
        method: "PUT",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ reviewed: reviewed }),
      });
      if (!answer.ok) return false;
    }
    row.dataset.reviewed = reviewed ? "yes" : "";
    row.classList.toggle("reviewed", reviewed);
    for (const label of row.querySelectorAll(".state")) {
      label.textContent = reviewed ? "reviewed" : "new";
      label.classList.toggle("reviewed", reviewed);
      label.classList.toggle("new", !reviewed);
    }
    if (counter) {
      const n = parseInt(counter.textContent, 10) + (reviewed ? -shas.length : shas.length);
      counter.textContent = String(Math.max(0, n));
    }
    return true;
  }

  document.addEventListener("keydown", async (e) => {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test((e.target && e.target.tagName) || "");
    if (typing || e.ctrlKey || e.metaKey || e.altKey || (e.key !== "r" && e.key !== "v")) return;
    const row = queue.querySelector("li.item.selected");
    if (!row) return;
    e.preventDefault();
    if (e.key === "v") {  // v: to the selected item's category vote
      const select = row.querySelector("form.vote select");
      if (select) select.focus();
      return;
    }
    if (await toggle(row)) document.dispatchEvent(new KeyboardEvent("keydown", { key: "j" }));
  });
})();
