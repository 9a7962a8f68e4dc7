// The rescue kit's timer: paces a practice step by step. Without this script the numbered
// steps and the "I did this" button do everything; with it, a Start/Pause button walks through
// the steps, says each one through a polite live region (once per step, never every second),
// marks it in the list, moves the pacing circle (still under reduced motion, by the
// stylesheet), and presses "I did this" at the end. No sound, nothing fetched.
(function () {
  "use strict";
  var timer = document.getElementById("kit-timer");
  var list = document.getElementById("kit-steps");
  var done = document.querySelector("#kit-done button");
  if (!timer || !list || !done) {
    return;
  }
  var button = document.getElementById("kit-start");
  var now = document.getElementById("kit-now");
  var count = document.getElementById("kit-count");
  var dot = document.getElementById("kit-pacer");
  var steps = Array.prototype.map.call(list.querySelectorAll("li"), function (item) {
    return {
      item: item,
      text: item.querySelector(".kit-step-text").textContent,
      seconds: parseInt(item.getAttribute("data-seconds"), 10),
      pace: item.getAttribute("data-pace")
    };
  });
  var rounds = parseInt(timer.getAttribute("data-rounds"), 10) || 1;
  // Once the full words have been heard in the first round, a short cue is enough: on
  // four-second steps the long sentences would crowd each other.
  var CUES = { "in": "Breathe in", hold: "Hold", out: "Breathe out" };
  var round = 1;
  var index = -1;
  var left = 0;
  var running = false;
  var pending = null;

  // Shown before anything is announced, so screen readers know the live region is there.
  timer.hidden = false;

  function say(text) {
    now.textContent = text;
  }

  function showCount() {
    var prefix = rounds > 1 ? "Round " + round + " of " + rounds + " · " : "";
    count.textContent = prefix + left + (left === 1 ? " second left" : " seconds left");
  }

  function pace(className, seconds) {
    dot.style.transform = "";
    dot.style.transitionDuration = seconds + "s";
    dot.className = "kit-pacer-dot is-" + className;
  }

  function begin(i) {
    if (index >= 0) {
      steps[index].item.removeAttribute("aria-current");
    }
    index = i;
    var step = steps[i];
    left = step.seconds;
    step.item.setAttribute("aria-current", "step");
    var prefix = rounds > 1 ? "Round " + round + " of " + rounds + ". " : "";
    var cue = round > 1 && CUES[step.pace];
    say(prefix + (cue ? cue + ", " + step.seconds + "." : step.text));
    pace(step.pace, step.seconds);
    showCount();
  }

  function schedule() {
    pending = window.setTimeout(tick, 1000);
  }

  function tick() {
    pending = null;
    left -= 1;
    if (left > 0) {
      showCount();
    } else if (index + 1 < steps.length) {
      begin(index + 1);
    } else if (round < rounds) {
      round += 1;
      begin(0);
    } else {
      finish();
      return;
    }
    schedule();
  }

  function finish() {
    running = false;
    steps[index].item.removeAttribute("aria-current");
    pace("still", 1);
    count.textContent = "";
    button.hidden = true;
    say("All done. Noting that you did this.");
    // A moment to hear it before the page moves on.
    window.setTimeout(function () {
      done.click();
    }, 1500);
  }

  // Freezes the circle where it is, rather than letting it run on to the step's end.
  function freeze() {
    var where = window.getComputedStyle(dot).transform;
    dot.style.transitionDuration = "0s";
    dot.style.transform = where === "none" ? "" : where;
  }

  button.addEventListener("click", function () {
    if (running) {
      window.clearTimeout(pending);
      running = false;
      freeze();
      button.textContent = "Resume";
      say("Paused.");
      return;
    }
    running = true;
    button.textContent = "Pause";
    if (index < 0) {
      begin(0);
    } else {
      say("Carrying on.");
      pace(steps[index].pace, left);
    }
    schedule();
  });
})();
