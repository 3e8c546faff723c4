/* The designation form: as streets are ticked, say whether the choice needs a reason (above the province's
   target, or a street that did not pass its screening) and mark the reason field required. The server decides
   the same on its own; without JavaScript the form works as it is. */
(function () {
  "use strict";

  var form = document.querySelector("form.designate-form");
  if (!form) return;
  var target = parseInt(form.getAttribute("data-target"), 10);
  var reason = form.querySelector("#f-overrideReason");
  var note = form.querySelector("#reason-needed");
  var boxes = form.querySelectorAll('input[name="streetIds[]"]');

  function update() {
    var ticked = 0;
    var notPassing = 0;
    boxes.forEach(function (box) {
      if (box.checked) {
        ticked += 1;
        if (box.getAttribute("data-outcome") !== "pass") notPassing += 1;
      }
    });
    var words = [];
    if (ticked > target) words.push(note.getAttribute("data-over").replace("{n}", ticked).replace("{target}", target));
    if (notPassing > 0) words.push(note.getAttribute("data-not-passing").replace("{n}", notPassing));
    note.textContent = words.join(" ");
    note.hidden = words.length === 0;
    reason.required = words.length > 0;
  }

  boxes.forEach(function (box) { box.addEventListener("change", update); });
  update();
})();
