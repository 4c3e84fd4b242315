// institution.js - the workspace's select-all box: shown only when this
// script runs (without it, "Confirm everyone on the list" does the same),
// it ticks or clears every student's box, and shows "mixed" when some are.
(function () {
  'use strict';
  var all = document.getElementById('select-all');
  if (!all) return;
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input.inst-select'));
  all.hidden = false;
  function sync() {
    var on = boxes.filter(function (b) { return b.checked; }).length;
    all.checked = on === boxes.length && on > 0;
    all.indeterminate = on > 0 && on < boxes.length;
  }
  all.addEventListener('change', function () {
    boxes.forEach(function (b) { b.checked = all.checked; });
    sync();
  });
  boxes.forEach(function (b) { b.addEventListener('change', sync); });
  sync();
})();
