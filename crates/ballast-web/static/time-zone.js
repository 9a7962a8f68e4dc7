// Offers the device's own time zone. On sign-up it fills the hidden field so a new account
// starts in the right zone; on the time-zone page it adds a button to use it. Without
// JavaScript, accounts start in UTC and the page's text box does the same job.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone) return;
  document.querySelectorAll("input[type=hidden][data-detect-time-zone]").forEach(function (input) {
    if (!input.value) input.value = zone;
  });
  document.querySelectorAll("input[type=text][data-detect-time-zone]").forEach(function (input) {
    if (input.value === zone) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button";
    button.textContent = "Use this device's time zone (" + zone + ")";
    button.addEventListener("click", function () {
      input.value = zone;
      input.focus();
    });
    input.insertAdjacentElement("afterend", button);
  });
})();
