// Lets an administrator pick a definition file instead of pasting it: the file's text is
// put into the textarea, which is what the form sends. Without this script, paste the text.
(function () {
  "use strict";
  var picker = document.getElementById("definition-file");
  var target = document.getElementById("definition");
  if (!picker || !target || !window.FileReader) {
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
      target.focus();
    };
    reader.readAsText(file);
  });
})();
