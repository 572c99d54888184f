// Autosave for reflections (progressive enhancement: without this file the "Lagre svaret" button
// saves). Saves a little after the person stops typing and when they leave the field, one request
// at a time, and says when the text was last saved in a live region.
(function () {
  'use strict';
  var texts = document.getElementById('autosave-texts');
  if (!texts || !window.fetch || !window.crypto || !window.crypto.getRandomValues) return;

  function actionId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  function clock(date) {
    return ('0' + date.getHours()).slice(-2) + ':' + ('0' + date.getMinutes()).slice(-2);
  }

  var forms = document.querySelectorAll('.activity-reflection form');
  Array.prototype.forEach.call(forms, function (form) {
    var textarea = form.querySelector('textarea[name="text"]');
    var token = form.querySelector('input[name="_csrf"]');
    if (!textarea || !token || !form.getAttribute('action') || form.getAttribute('action') === '#') return;

    var status = document.createElement('p');
    status.className = 'autosave-status';
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    form.appendChild(status);

    var lastSaved = textarea.value;
    var timer = null;
    var inFlight = false;
    var again = false;

    function save() {
      if (inFlight) {
        again = true;
        return;
      }
      var text = textarea.value;
      if (text === lastSaved) return;
      inFlight = true;
      status.textContent = texts.getAttribute('data-saving');
      fetch(form.getAttribute('action'), {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': token.value },
        body: JSON.stringify({ text: text, actionId: actionId() }),
      })
        .then(function (response) {
          if (!response.ok) throw new Error('autosave failed: ' + response.status);
          return response.json();
        })
        .then(function () {
          lastSaved = text;
          // The save renewed the session: the time-out warning (session-timeout.js) starts again.
          document.dispatchEvent(new window.CustomEvent('fellesskap:session-renewed'));
          status.textContent = texts.getAttribute('data-saved').replace('{time}', clock(new Date()));
        })
        .catch(function () {
          status.textContent = texts.getAttribute('data-failed');
        })
        .then(function () {
          inFlight = false;
          if (again) {
            again = false;
            save();
          }
        });
    }

    textarea.addEventListener('input', function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, 1500);
    });
    textarea.addEventListener('blur', function () {
      window.clearTimeout(timer);
      save();
    });
  });
})();
