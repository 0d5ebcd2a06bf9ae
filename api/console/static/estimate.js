// Keeps the campaign builder's estimate up to date while the officer types.
// Without JavaScript the "Check the estimate" button posts the form and shows the same thing.
(function () {
  "use strict";
  var form = document.getElementById("campaign-form");
  var target = document.getElementById("estimate");
  var status = document.getElementById("estimate-status");
  if (!form || !target || !window.fetch || !window.URLSearchParams) { return; }
  var source = form.getAttribute("data-estimate");
  var WAIT_MS = 400;
  var timer = null;
  var asked = 0;

  function text(id) {
    var element = document.getElementById(id);
    return element ? element.textContent : null;
  }

  function refresh() {
    var mine = ++asked;
    var body = new URLSearchParams(new FormData(form));
    target.setAttribute("aria-busy", "true");
    fetch(source, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString()
    })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        if (mine !== asked) { return; }  // a newer answer is on its way
        target.innerHTML = html;
        var audience = text("estimate-audience");
        if (status && audience !== null) {
          status.textContent = "Estimate updated: " + audience + " tenants in the audience, " +
            text("estimate-sample") + " invited.";
        }
      })
      .catch(function () {
        if (status) { status.textContent = "The estimate could not be updated; use Check the estimate."; }
      })
      .then(function () { target.removeAttribute("aria-busy"); });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, WAIT_MS);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
}());
