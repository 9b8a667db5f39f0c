// Staff console: hand a conversation back to the bot, or answer a handed-off e-mail in its thread.
(function () {
  "use strict";
  function agent() {
    let name = localStorage.getItem("privacydesk-agent");
    if (!name) {
      name = (prompt("Your name (recorded in the audit trail):") || "").trim();
      if (name) { localStorage.setItem("privacydesk-agent", name); }
    }
    return name;
  }
  async function post(url, body, item) {
    const response = await fetch(url, {
      method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
    });
    const note = document.createElement("p");
    note.textContent = response.ok ? "Done." : "Failed (" + response.status + "): try again.";
    item.appendChild(note);
    return response.ok;
  }
  document.querySelectorAll("button.resolve").forEach(function (button) {
    button.addEventListener("click", async function () {
      const name = agent();
      if (!name) { return; }
      const item = document.getElementById("handoff-" + button.dataset.handoff);
      if (await post("/api/handoffs/" + button.dataset.handoff + "/resolve", {agent: name}, item)) {
        button.disabled = true;
      }
    });
  });
  document.querySelectorAll("form.answer").forEach(function (form) {
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const name = agent();
      if (!name) { return; }
      const item = document.getElementById("handoff-" + form.dataset.handoff);
      const text = form.elements.text.value.trim();
      if (text && await post("/api/handoffs/" + form.dataset.handoff + "/answer", {agent: name, text: text}, item)) {
        form.elements.text.value = "";
      }
    });
  });
})();
