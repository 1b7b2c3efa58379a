// The projector page keeps itself up to date: the server sends the changing part whole
// (Server-Sent Events) after every answer; the browser reconnects by itself after a restart.
(function () {
  "use strict";
  var live = document.getElementById("live");
  var connection = document.getElementById("connection");
  var source = new EventSource(document.body.dataset.events);

  function show(online) {
    connection.textContent = online ? connection.dataset.live : connection.dataset.offline;
    connection.classList.toggle("offline", !online);
  }

  source.addEventListener("results", function (event) {
    live.innerHTML = event.data;
    show(true);
  });
  source.addEventListener("closed", function () {  // the final results stay on the wall
    source.close();
    connection.hidden = true;
  });
  source.addEventListener("gone", function () {
    source.close();
    var note = document.createElement("p");
    note.className = "gone";
    note.textContent = document.getElementById("gone-text").innerHTML;
    live.prepend(note);
    connection.hidden = true;
  });
  source.addEventListener("open", function () { show(true); });
  source.addEventListener("error", function () {
    show(false);  // closed for good (e.g. too many pages open): say so
  });
})();
