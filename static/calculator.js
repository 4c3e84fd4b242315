// calculator.js - live results for the calculators ("Min kalkyl").
//
// Progressive enhancement only: each calculator is a GET form whose answer
// is the same page with the result, and works without this file. Here a
// changed field (or the button) fetches that very address and swaps in the
// result region (aria-live="polite") and the fields' error messages from
// the answer, so the page never reloads and no rule is written a second
// time in JavaScript; the address bar follows, so the result can still be
// shared. On the support calculator the upper-secondary questions are
// hidden while higher education is chosen.
(function () {
  'use strict';
  var form = document.querySelector('form[data-calc]');
  var region = document.getElementById('calc-result');
  if (!form || !region || !window.fetch || !window.DOMParser || !window.URLSearchParams) return;
  var upper = document.getElementById('upper-secondary-questions');
  var latest = 0;

  function showUpper() {
    if (!upper) return;
    var level = form.querySelector('input[name="level"]:checked');
    upper.hidden = !!level && level.value !== 'upper-secondary';
  }

  // Fields the person has answered: a field not yet reached is not called
  // wrong while the form is being filled in. A page that already came with
  // answers in its address, and a press of the button, count them all.
  var touched = {};
  function touchAll() {
    form.querySelectorAll('[name]').forEach(function (el) { touched[el.name] = true; });
  }
  if (window.location.search.length > 1) touchAll();

  // Error state of the answered fields as the server found it: aria
  // attributes and the message below each field. The inputs themselves
  // stay, so focus and what is being typed are never disturbed. Returns
  // true when a field not yet answered is wrong.
  function syncErrors(doc) {
    var pending = false;
    form.querySelectorAll('[data-field="validation"]').forEach(function (p) { p.remove(); });
    form.querySelectorAll('input, select').forEach(function (el) {
      var fresh = touched[el.name] && el.id && doc.getElementById(el.id);
      ['aria-invalid', 'aria-describedby'].forEach(function (a) {
        if (fresh && fresh.hasAttribute(a)) el.setAttribute(a, fresh.getAttribute(a));
        else if (a === 'aria-invalid') el.removeAttribute(a);
      });
    });
    doc.querySelectorAll('form [data-field="validation"]').forEach(function (p) {
      var name = p.id.replace(/-error$/, '');
      var host = document.getElementById(name);
      var box = host && host.closest('.ds-field, fieldset');
      if (!touched[name]) pending = true;
      else if (box) box.appendChild(document.importNode(p, true));
    });
    var summary = document.getElementById('error-summary');
    if (summary) summary.remove();
    return pending;
  }

  // Fetch the result for the form as it stands. When that fails, a press
  // of the button falls back to the ordinary submission.
  function update(submitted) {
    var url = form.getAttribute('action') + '?' + new URLSearchParams(new FormData(form)).toString();
    var mine = ++latest;
    region.setAttribute('aria-busy', 'true');
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (res) { return res.text(); })
      .then(function (html) {
        if (mine !== latest) return;
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var fresh = doc.getElementById('calc-result');
        // Until every wrong field has been answered, the result stays.
        if (!fresh || syncErrors(doc)) return;
        region.replaceChildren.apply(region, Array.prototype.map.call(fresh.childNodes, function (n) {
          return document.importNode(n, true);
        }));
        history.replaceState(null, '', url);
      })
      .catch(function () { if (submitted) form.submit(); })
      .finally(function () { if (mine === latest) region.removeAttribute('aria-busy'); });
  }

  form.addEventListener('change', function (ev) {
    if (ev.target.name) touched[ev.target.name] = true;
    showUpper();
    update(false);
  });
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    touchAll();
    update(true);
  });
  showUpper();
}());
