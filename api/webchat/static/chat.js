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
  var time = document.getElementById("time");
  var warningTimer = null;

  /* WCAG 2.2.1: a few minutes before the conversation closes, the warning and its
     "I need more time" button appear in a polite live region (once, never moving focus). */
  function watchTheTime() {
    var region = document.getElementById("time-warning");
    var template = document.getElementById("time-warning-template");
    if (!time || !region || !template || region.children.length) {
      return;
    }
    var left = parseInt(time.getAttribute("data-expires-in"), 10);
    var within = parseInt(time.getAttribute("data-warn-within"), 10);
    if (isNaN(left) || isNaN(within)) {
      return;
    }
    warningTimer = window.setTimeout(function () {
      region.appendChild(template.content.cloneNode(true));
    }, Math.max(0, left - within) * 1000);
  }
  watchTheTime();

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
      if (!result.body.open && time) {
        // The conversation has ended: no time limit to count down or warn about.
        window.clearTimeout(warningTimer);
        time.hidden = true;
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
