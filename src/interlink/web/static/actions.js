// Changes from pages go through the API: a <form data-api="URL" data-method="POST"> is sent
// as JSON (fields named a.0.b build nested objects and lists; data-list splits on commas;
// empty fields are left out), or as multipart with data-multipart, with the session's CSRF
// token. On success the page reloads (or goes to data-next); a refusal shows the API's
// problem detail in the form's .error element. Nothing loaded from elsewhere.
"use strict";
(function () {
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function put(target, path, value) {
    const keys = path.split(".");
    let here = target;
    keys.forEach((key, i) => {
      if (i === keys.length - 1) { here[key] = value; return; }
      if (here[key] === undefined) here[key] = /^\d+$/.test(keys[i + 1]) ? [] : {};
      here = here[key];
    });
  }

  function json(form) {
    const data = {};
    for (const field of form.elements) {
      if (!field.name || field.disabled || field.type === "submit") continue;
      if ((field.type === "checkbox" || field.type === "radio") && !field.checked) continue;
      let value = field.value;
      if (value === "") continue;
      if (field.dataset.list !== undefined) {
        value = value.split(",").map((s) => s.trim()).filter((s) => s);
      } else if (field.type === "number") {
        value = Number(value);
      }
      put(data, field.name, value);
    }
    return data;
  }

  for (const form of document.querySelectorAll("form[data-api]")) {
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const error = form.querySelector(".error");
      if (error) error.hidden = true;
      const headers = { "X-CSRF-Token": csrf };
      let body;
      if (form.dataset.multipart !== undefined) {
        body = new FormData(form);
      } else if (form.dataset.empty === undefined) {
        body = JSON.stringify(json(form));
        headers["Content-Type"] = "application/json";
      }
      const button = form.querySelector("button");
      if (button) button.disabled = true;
      const answer = await fetch(form.dataset.api, {
        method: form.dataset.method || "POST", headers: headers, body: body,
      });
      if (button) button.disabled = false;
      if (answer.ok) {
        window.location.assign(form.dataset.next || window.location.href);
        return;
      }
      let detail = "Refused (" + answer.status + ").";
      try { detail = (await answer.json()).detail || detail; } catch (_) { /* not JSON */ }
      if (error) { error.textContent = detail; error.hidden = false; } else { window.alert(detail); }
    });
  }
})();
