// The browser chat without reloading: a form is posted in the background and the page it leads
// to replaces this one's body. Without JavaScript the same forms post and redirect; nothing
// here is needed to answer. Enter sends the message (Shift+Enter: a new line).
(function () {
  "use strict";
  var busy = false;

  function settle() {
    var latest = document.getElementById("latest");
    if (latest) { latest.scrollIntoView({ block: "end" }); }
    var field = document.getElementById("message");
    var last = document.querySelector(".log > li:last-child");
    var first = last && last.querySelector("button");
    if (field && field.hasAttribute("autofocus")) { field.focus(); }
    else if (first) { first.focus({ preventScroll: true }); }
    else if (last) { last.focus({ preventScroll: true }); }
  }

  function fallback(form, submitter) {
    // the plain post: the page reloads, nothing is lost
    if (submitter && submitter.name) {
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = submitter.name;
      hidden.value = submitter.value;
      form.appendChild(hidden);
    }
    HTMLFormElement.prototype.submit.call(form);
  }

  async function post(form, submitter) {
    if (busy) { return; }
    busy = true;
    var data = new URLSearchParams(new FormData(form, submitter));
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    try {
      var response = await fetch(form.action, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded" }
      });
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("text/html") !== 0) { throw new Error("not a page"); }
      var page = new DOMParser().parseFromString(await response.text(), "text/html");
      document.documentElement.lang = page.documentElement.lang;
      document.title = page.title;
      document.body.replaceWith(document.adoptNode(page.body));
      if (response.url) { history.replaceState(null, "", response.url); }
      busy = false;
      settle();
    } catch (error) {
      busy = false;
      fallback(form, submitter);
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") { return; }
    event.preventDefault();
    post(form, event.submitter);
  });

  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (field.id === "message" && event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (field.value.trim()) { field.form.requestSubmit(); }
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", settle);
  } else { settle(); }
}());
