// motcua portal: progressive enhancement only; every page works without this script.
(function () {
  "use strict";

  // Move focus to the error summary so screen readers announce it.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

  // Links of the error summary focus the field itself (not only scroll to it).
  document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (target) { event.preventDefault(); target.focus(); target.scrollIntoView({ block: "center" }); }
    });
  });

  // A form sent once is not sent twice by a double click.
  document.querySelectorAll("[data-prevent-double-click]").forEach(function (button) {
    var form = button.form;
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
    });
  });

  // Warn two minutes before an idle session ends.
  var idle = parseInt(document.body.dataset.idleSeconds || "0", 10);
  if (idle > 180) {
    window.setTimeout(function () {
      var main = document.getElementById("main");
      if (!main) { return; }
      var box = document.createElement("div");
      box.className = "notice";
      box.setAttribute("role", "alert");
      var p = document.createElement("p");
      p.textContent = document.body.dataset.idleWarning || "";
      box.appendChild(p);
      main.insertBefore(box, main.firstChild);
    }, (idle - 120) * 1000);
  }

  // The assistant: ask through the API and show the conversation in place.
  function message(log, who, text, cls) {
    var div = document.createElement("div");
    div.className = "chat-message " + cls;
    var head = document.createElement("p");
    head.className = "chat-who";
    head.textContent = who;
    var body = document.createElement("p");
    body.className = "pre";
    body.textContent = text;
    div.appendChild(head);
    div.appendChild(body);
    log.appendChild(div);
    return div;
  }

  function links(div, items) {
    if (!items || !items.length) { return; }
    var ul = document.createElement("ul");
    ul.className = "list";
    items.slice(0, 3).forEach(function (p) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "/thu-tuc/" + encodeURIComponent(p.code);
      a.textContent = p.name + " (" + p.code + ")";
      li.appendChild(a);
      ul.appendChild(li);
    });
    div.appendChild(ul);
  }

  document.querySelectorAll("[data-chat-form]").forEach(function (form) {
    var box = form.closest("[data-chat-page]") || form.closest(".chat-panel");
    var log = box && box.querySelector("[data-chat-log]");
    var input = form.querySelector("textarea, input[type='text']");
    if (!log || !input || !window.fetch) { return; }
    form.addEventListener("submit", function (event) {
      var question = input.value.trim();
      if (!question) { return; }
      event.preventDefault();
      var button = form.querySelector("button[type='submit']");
      if (button) { button.disabled = true; }
      message(log, form.dataset.you || "", question, "chat-question");
      fetch("/api/v1/assistant/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify({ question: question, lang: form.dataset.lang || "vi" })
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (reply) {
        var div = message(log, form.dataset.bot || "", reply.answer, "chat-answer");
        links(div, reply.choices && reply.choices.length ? reply.choices : reply.procedures);
        if (reply.dossier_code) {
          var p = document.createElement("p");
          var a = document.createElement("a");
          a.href = "/tra-cuu?ma=" + encodeURIComponent(reply.dossier_code);
          a.textContent = reply.dossier_code;
          p.appendChild(a);
          div.appendChild(p);
        }
        input.value = "";
      }).catch(function () {
        message(log, form.dataset.bot || "", form.dataset.error || "", "chat-answer");
      }).then(function () {
        if (button) { button.disabled = false; }
        input.focus();
      });
    });
  });
})();
