// Live preview for the lesson editor (progressive enhancement: without this file the editor saves
// and previews through ordinary form posts). The server renders the preview with the same partials
// staff see; this script only asks for it while the author types and shows it beside the text.
(function () {
  'use strict';
  var textarea = document.querySelector('textarea[data-live-preview]');
  if (!textarea || !window.fetch) return;
  var grid = document.querySelector('[data-editor]');
  var pane = document.querySelector('.live-preview');
  var content = document.getElementById('live-preview-content');
  var status = document.getElementById('live-preview-status');
  var problems = document.getElementById('lesson-problems');
  var form = textarea.form;
  var token = form && form.querySelector('input[name="_csrf"]');
  if (!grid || !pane || !content || !token) return;

  grid.classList.add('has-live-preview');
  pane.hidden = false;

  var timer = null;
  var sequence = 0;

  function showProblems(list) {
    if (!problems) return;
    problems.textContent = '';
    if (!list.length) {
      problems.hidden = true;
      return;
    }
    var ul = document.createElement('ul');
    ul.className = 'problem-list';
    list.forEach(function (p) {
      var li = document.createElement('li');
      // The line number links to the editor, as on the page the server renders (markdown-toolbar.js moves the cursor).
      var link = document.createElement('a');
      link.href = '#lesson-text';
      link.setAttribute('data-goto-line', String(p.line));
      link.textContent = (problems.getAttribute('data-line-label') || '{line}').replace('{line}', String(p.line));
      li.appendChild(link);
      li.appendChild(document.createTextNode(': ' + p.message));
      ul.appendChild(li);
    });
    problems.appendChild(ul);
    problems.hidden = false;
  }

  function refresh() {
    var mine = ++sequence;
    fetch(textarea.getAttribute('data-live-preview'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': token.value },
      body: JSON.stringify({ text: textarea.value }),
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        // An older answer arriving late must not replace a newer one.
        if (mine !== sequence) return;
        // The HTML comes from the server's Markdown renderer (raw HTML off) and EJS partials.
        content.innerHTML = data.html;
        showProblems(data.problems || []);
        status.textContent = status.getAttribute('data-updated') || status.textContent;
      })
      .catch(function () {
        if (mine === sequence) status.textContent = status.getAttribute('data-failed') || status.textContent;
      });
  }

  textarea.addEventListener('input', function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 500);
  });
  refresh();
})();
