// The customers' chat: messages go to /api/chat; every answer is shown as plain text (never HTML),
// so nothing a customer or the bot writes can inject markup.
(function () {
  "use strict";
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("message");
  const button = document.getElementById("send");

  function senderId() {
    let id = sessionStorage.getItem("privacydesk-sender");
    if (!id) {
      id = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).replace(/[^A-Za-z0-9-]/g, "");
      sessionStorage.setItem("privacydesk-sender", id);
    }
    return id;
  }

  function show(who, text, buttons) {
    const item = document.createElement("li");
    item.className = who;
    const bubble = document.createElement("p");
    bubble.textContent = text;
    item.appendChild(bubble);
    (buttons || []).forEach(function (b) {
      const choice = document.createElement("button");
      choice.type = "button";
      choice.className = "choice";
      choice.textContent = b.title;
      choice.addEventListener("click", function () { send(b.payload, b.title); });
      item.appendChild(choice);
    });
    log.appendChild(item);
    item.scrollIntoView({block: "end"});
  }

  async function send(text, shown) {
    show("customer", shown || text);
    button.disabled = true;
    try {
      const response = await fetch("/api/chat", {
        method: "POST",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({sender: senderId(), message: text}),
      });
      if (!response.ok) {
        const problem = await response.json().catch(function () { return {}; });
        show("error", (problem.detail && typeof problem.detail === "string") ? problem.detail
          : "Något gick fel, försök igen. / Something went wrong, please try again.");
        return;
      }
      const answers = await response.json();
      answers.forEach(function (a) { show("bot", a.text, a.buttons); });
    } catch (e) {
      show("error", "Ingen anslutning, försök igen. / No connection, please try again.");
    } finally {
      button.disabled = false;
      input.focus();
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    send(text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
})();
