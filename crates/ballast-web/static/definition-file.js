// Lets an administrator pick a definition file instead of pasting it: the file's text is
// put into the textarea, which is what the form sends. Without this script, paste the text.
(function () {
  "use strict";
  // The focus stays on the picker (moving it on a change would surprise keyboard and screen
  // reader users); the status line under the picker says what happened.
  var picker = document.getElementById("definition-file");
  var target = document.getElementById("definition");
  var status = document.getElementById("definition-file-status");
  if (!picker || !target || !status || !window.FileReader) {
    return;
  }
  picker.hidden = false;
  picker.previousElementSibling.hidden = false;
  picker.addEventListener("change", function () {
    var file = picker.files && picker.files[0];
    if (!file) {
      return;
    }
    var reader = new FileReader();
    reader.onload = function () {
      target.value = String(reader.result);
      status.textContent = "The text of " + file.name + " is now in the definition box below.";
    };
    reader.onerror = function () {
      status.textContent = "Could not read " + file.name + ". Paste its text into the box below instead.";
    };
    reader.readAsText(file);
  });
})();
