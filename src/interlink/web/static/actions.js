// Changes from pages go through the API: a <form data-api="URL" data-method="POST"> is sent
// as JSON (fields named a.0.b build nested objects and lists; data-list splits on commas;
// checkboxes sharing a name (or marked data-list) make a list; number inputs are numbers; empty fields are left
// out), or as multipart with data-multipart, with the session's CSRF token. A secret in the
// answer (a new token, a TOTP secret) is shown once in the form's <output>; otherwise the
// page reloads (or goes to data-next). A refusal shows the API's problem detail in the
// form's .error element (or its <output>). A <button data-api> outside a form sends its
// data-body (or nothing) after its data-confirm question, answering in the page's #result
// output the same way. Nothing loaded from elsewhere.
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
    const boxes = {};
    for (const field of form.elements) {
      if (field.type === "checkbox" && field.name) boxes[field.name] = (boxes[field.name] || 0) + 1;
    }
    for (const field of form.elements) {
      if (!field.name || field.disabled || field.type === "submit") continue;
      if (field.type === "checkbox" && (boxes[field.name] > 1 || field.dataset.list !== undefined)) {
        if (!(field.name in data)) data[field.name] = [];
        if (field.checked) data[field.name].push(field.value);
        continue;
      }
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

  function secret(output, data) {
    output.className = "secret";
    output.textContent = "";
    const label = document.createElement("p");
    label.textContent = data.token ? "Your new token. It is shown this once: copy it now (reload the page to see it listed)." :
      "The user's authenticator secret. It is shown this once: give it to the user now.";
    const code = document.createElement("code");
    code.id = "secret";
    code.textContent = data.token || data.totp_secret;
    output.append(label, code);
    if (data.totp_uri) { const uri = document.createElement("p"); uri.className = "hash"; uri.textContent = data.totp_uri; output.append(uri); }
    output.hidden = false;
  }

  // What the API answered: a secret shown once, else the page reloads (or goes to ``next``);
  // a refusal's detail in ``error`` (or ``output``, else an alert).
  async function answered(answer, output, error, next) {
    let data = null;
    try { data = await answer.json(); } catch (_) { /* no body */ }
    if (answer.ok) {
      if (output && data && (data.token || data.totp_secret)) { secret(output, data); return; }
      window.location.assign(next || window.location.href);
      return;
    }
    const detail = (data && (data.detail || data.title)) || ("Refused (" + answer.status + ").");
    if (error) { error.textContent = detail; error.hidden = false; }
    else if (output) { output.textContent = detail; output.className = "error"; output.hidden = false; }
    else { window.alert(detail); }
  }

  for (const button of document.querySelectorAll("button[data-api]")) {
    button.addEventListener("click", async () => {
      if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
      const body = button.dataset.body;
      const headers = { "X-CSRF-Token": csrf };
      if (body) headers["Content-Type"] = "application/json";
      const answer = await fetch(button.dataset.api, {
        method: button.dataset.method || "POST", headers: headers, body: body || undefined,
      });
      await answered(answer, document.getElementById("result"), null, null);
    });
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
      await answered(answer, form.querySelector("output"), error, form.dataset.next);
    });
  }
})();
