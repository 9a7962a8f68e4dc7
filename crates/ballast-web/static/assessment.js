// Enhances the assessment form: keeps the progress count current and saves answers as the
// person goes, so a reload or a lost connection loses nothing. Without this script the form
// still works: "Save and finish later" saves, and submitting keeps every answer.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var count = form.querySelector("[data-answered]");
  var bar = form.querySelector("progress");
  var status = document.getElementById("save-status");
  var timer = null;

  function answered() {
    var names = {};
    var checked = form.querySelectorAll("input[type=radio]:checked");
    for (var i = 0; i < checked.length; i++) {
      names[checked[i].name] = true;
    }
    return Object.keys(names).length;
  }

  function say(text) {
    // Only changes are announced, so a steady "saved" is not repeated after every click.
    if (status.textContent !== text) {
      status.textContent = text;
    }
  }

  function save() {
    var body = new URLSearchParams(new FormData(form));
    body.set("autosave", "1");
    // A redirect (to signing in, when the session has ended) is not a save: do not follow it.
    fetch(form.getAttribute("data-autosave"), { method: "POST", body: body, credentials: "same-origin", redirect: "manual" })
      .then(function (response) {
        say(response.ok ? "Your answers are saved as you go." : "We could not save just now; your answers are still here.");
      })
      .catch(function () {
        say("You seem to be offline. Your answers are still here and will be saved when you finish.");
      });
  }

  form.addEventListener("change", function () {
    var n = answered();
    count.textContent = String(n);
    bar.value = n;
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 250);
  });

  // Submitting saves everything; a save still waiting to run could bring back a draft of an
  // assessment that has just been finished.
  form.addEventListener("submit", function () {
    window.clearTimeout(timer);
  });
})();
