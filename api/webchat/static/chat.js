/* Doorstep web chat, enhanced: replies go by fetch and new messages are added to the
   live region instead of reloading the page. Without this script (or if a request
   fails) the same forms post normally, so nothing here is needed to answer. */
(function () {
  "use strict";
  var log = document.getElementById("log");
  var answer = document.getElementById("answer");
  var status = document.getElementById("status");
  if (!log || !answer || !status || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var busy = false;

  function focusFirstControl() {
    var target = answer.querySelector(".option, input[type=checkbox], #reply, .surveys button");
    (target || answer).focus();
  }

  function plainSubmit(form, submitter) {
    form.setAttribute("data-plain", "");
    if (form.requestSubmit) {
      form.requestSubmit(submitter || undefined);
    } else {
      form.submit();
    }
  }

  answer.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-enhance") || form.hasAttribute("data-plain")) {
      return;
    }
    event.preventDefault();
    if (busy) {
      return;
    }
    var submitter = event.submitter || null;
    var data = new URLSearchParams(new FormData(form));
    if (submitter && submitter.name) {
      data.append(submitter.name, submitter.value);
    }
    busy = true;
    answer.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) {
        return { ok: response.ok, body: body };
      });
    }).then(function (result) {
      busy = false;
      answer.removeAttribute("aria-busy");
      if (!result.ok) {
        status.textContent = result.body.error || "";
        return;
      }
      status.textContent = "";
      if (result.body.lang !== document.documentElement.lang) {
        // The tenant chose another language by typing: reload the page's own words too.
        window.location.assign("/chat");
        return;
      }
      log.insertAdjacentHTML("beforeend", result.body.messages);
      answer.innerHTML = result.body.controls;
      focusFirstControl();
    }).catch(function () {
      busy = false;
      answer.removeAttribute("aria-busy");
      plainSubmit(form, submitter);
    });
  });
})();
