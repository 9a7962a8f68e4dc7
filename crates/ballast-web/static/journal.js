// Keeps a draft of a new journal entry as the person writes, so a closed tab or a lost
// connection loses nothing. Without this script the "Save draft" button does the same.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var status = document.getElementById("draft-status");
  var timer = null;

  function say(text) {
    if (status.textContent !== text) {
      status.textContent = text;
    }
  }

  function save() {
    var body = new URLSearchParams(new FormData(form));
    body.set("autosave", "1");
    fetch(form.getAttribute("data-autosave"), { method: "POST", body: body, credentials: "same-origin", redirect: "manual" })
      .then(function (response) {
        say(response.status === 204 ? "Draft saved." : "We could not save a draft just now; your words are still here.");
      })
      .catch(function () {
        say("You seem to be offline. Your words are still here.");
      });
  }

  function soon() {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 1500);
  }

  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  // Saving the entry clears the draft; a save still waiting could bring it back.
  form.addEventListener("submit", function () {
    window.clearTimeout(timer);
  });
})();
