// Progressive enhancement only: the form works without this script.
(function () {
  'use strict';
  var form = document.querySelector('form[data-progress]');
  if (!form) { return; }
  var summary = document.getElementById('errors');
  if (summary) { summary.focus(); }
  var progress = form.querySelector('.progress');
  var total = Number(form.getAttribute('data-total'));
  function update() {
    var names = {};
    form.querySelectorAll('.scale input:checked').forEach(function (input) { names[input.name] = true; });
    var n = Object.keys(names).length;
    progress.textContent = form.getAttribute('data-progress').replace('{n}', n).replace('{total}', total);
    progress.hidden = false;
  }
  form.addEventListener('change', update);
  update();
  var button = form.querySelector('button[type=submit]');
  var label = button.textContent;
  form.addEventListener('submit', function (event) {
    if (button.disabled) { event.preventDefault(); return; }
    button.disabled = true;
    button.textContent = form.getAttribute('data-sending');
  });
  // Coming back to this page from the browser's history must not leave the button disabled.
  window.addEventListener('pageshow', function () {
    button.disabled = false;
    button.textContent = label;
  });
})();