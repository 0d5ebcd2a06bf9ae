// Refreshes a campaign's progress table every few seconds from the JSON API.
// Without JavaScript the page still works: the "Reload progress" link shows fresh numbers.
(function () {
  "use strict";
  var table = document.getElementById("progress");
  if (!table || !window.fetch) { return; }
  var source = table.getAttribute("data-source");
  var updated = document.getElementById("progress-updated");
  var state = document.getElementById("campaign-state");
  var EVERY_MS = 3000;

  var last = null;

  // Only a change is written (and announced by the status line), not every poll.
  function render(data) {
    var shown = JSON.stringify([data.state, data.channels]);
    if (shown === last) { return; }
    last = shown;
    var body = document.createElement("tbody");
    Object.keys(data.channels).forEach(function (channel) {
      var row = document.createElement("tr");
      row.setAttribute("data-channel", channel);
      var head = document.createElement("th");
      head.scope = "row";
      head.textContent = channel;
      row.appendChild(head);
      data.counts.forEach(function (count) {
        var cell = document.createElement("td");
        cell.setAttribute("data-count", count);
        cell.textContent = String(data.channels[channel][count]);
        row.appendChild(cell);
      });
      body.appendChild(row);
    });
    table.replaceChild(body, table.tBodies[0]);
    if (state && state.textContent !== data.state) {
      state.textContent = data.state;
      state.className = "state state-" + data.state;
    }
    if (updated) {
      updated.textContent = "Updated at " + new Date().toLocaleTimeString() + ".";
    }
  }

  function refresh() {
    fetch(source, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(render)
      .catch(function () {
        if (updated) { updated.textContent = "Could not refresh; use Reload progress."; }
      })
      .then(function () { window.setTimeout(refresh, EVERY_MS); });
  }
  window.setTimeout(refresh, EVERY_MS);
}());
