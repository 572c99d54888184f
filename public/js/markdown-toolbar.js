// Formatting buttons above the lesson editor (progressive enhancement: without this file the toolbar
// stays hidden and the author types the Markdown, losing nothing). The toolbar follows the WAI-ARIA
// toolbar pattern: one Tab stop, arrow keys move between the buttons; each button writes its Markdown
// where the cursor is, selects the placeholder to type over, returns focus to the text and says what
// it did in a polite live region. Ctrl+B and Ctrl+I work in the text itself, and a problem's line
// number above the editor moves the cursor to that line.
(function () {
  'use strict';
  var textarea = document.getElementById('lesson-text');
  var toolbar = document.querySelector('[data-md-toolbar]');
  var status = document.getElementById('md-toolbar-status');
  if (!textarea || !toolbar || !status || typeof textarea.setSelectionRange !== 'function') return;
  var imagePicker = document.querySelector('[data-md-image]');
  var termPicker = document.querySelector('[data-md-glossary]');
  var hint = document.getElementById('md-toolbar-hint');
  var buttons = Array.prototype.slice.call(toolbar.querySelectorAll('button[data-md]'));

  // Replaces the selection with text through the browser's editing (so Ctrl+Z undoes it), or directly.
  function replaceSelection(text) {
    textarea.focus();
    var done;
    try {
      done = document.execCommand && document.execCommand('insertText', false, text);
    } catch {
      done = false;
    }
    if (!done) {
      textarea.setRangeText(text, textarea.selectionStart, textarea.selectionEnd, 'end');
      // The live preview listens for input, as it does when the author types.
      textarea.dispatchEvent(new window.Event('input', { bubbles: true }));
    }
  }

  function lineStart(position) {
    return textarea.value.lastIndexOf('\n', position - 1) + 1;
  }

  // Wraps the selection (or a placeholder) in before/after and selects what is inside.
  function wrap(before, after, placeholder) {
    var start = textarea.selectionStart;
    var selected = textarea.value.slice(start, textarea.selectionEnd) || placeholder;
    replaceSelection(before + selected + after);
    textarea.setSelectionRange(start + before.length, start + before.length + selected.length);
  }

  // Puts prefix before every selected line (or the cursor's line), with a placeholder on an empty one.
  function prefixLines(prefix, placeholder) {
    var start = lineStart(textarea.selectionStart);
    var end = textarea.selectionEnd;
    // No selection: the whole line the cursor is on.
    if (textarea.selectionStart === end) {
      var lineEnd = textarea.value.indexOf('\n', end);
      end = lineEnd < 0 ? textarea.value.length : lineEnd;
    }
    var lines = textarea.value.slice(start, end).split('\n');
    var text = lines.map(function (line) { return line.indexOf(prefix) === 0 ? line : prefix + line; }).join('\n');
    var selectPlaceholder = text === prefix;
    if (selectPlaceholder) text += placeholder;
    textarea.setSelectionRange(start, end);
    replaceSelection(text);
    if (selectPlaceholder) textarea.setSelectionRange(start + prefix.length, start + text.length);
  }

  // Writes a block (an image) on lines of its own at the cursor, and selects the part to fill in.
  function insertBlock(text, selectFrom, selectLength) {
    var start = textarea.selectionStart;
    var before = start > 0 && textarea.value.charAt(start - 1) !== '\n' ? '\n\n' : '';
    textarea.setSelectionRange(start, textarea.selectionEnd);
    replaceSelection(before + text + '\n');
    textarea.setSelectionRange(start + before.length + selectFrom, start + before.length + selectFrom + selectLength);
  }

  var actions = {
    heading: function (p) { prefixLines('## ', p); },
    bold: function (p) { wrap('**', '**', p); },
    italic: function (p) { wrap('_', '_', p); },
    list: function (p) { prefixLines('- ', p); },
    link: function (p) {
      wrap('[', '](https://)', p);
      // The address comes next: select it, so the author types over it.
      var urlStart = textarea.selectionEnd + 2;
      textarea.setSelectionRange(urlStart, urlStart + 'https://'.length);
    },
    image: function (p) {
      var select = document.getElementById('md-image-file');
      if (!select || !select.value) return;
      insertBlock('![' + p + '](' + select.value + ')', 2, p.length);
    },
    // A word from the module's glossary, written as it is (the first use in the lesson gets its
    // explanation when the lesson is shown); the message names the word.
    term: function () {
      var select = document.getElementById('md-glossary-term');
      if (!select || !select.value) return undefined;
      var start = textarea.selectionStart;
      replaceSelection(select.value);
      textarea.setSelectionRange(start, start + select.value.length);
      return { term: select.value };
    },
  };

  function run(button) {
    var action = actions[button.getAttribute('data-md')];
    if (!action) return;
    var values = action(button.getAttribute('data-placeholder') || '') || {};
    textarea.focus();
    var message = (button.getAttribute('data-done') || '').replace(/\{\{(\w+)\}\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : all;
    });
    // Emptied first, so the same message twice is announced twice.
    status.textContent = '';
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  function focusButton(index) {
    buttons.forEach(function (b, i) { b.tabIndex = i === index ? 0 : -1; });
    buttons[index].focus();
  }

  toolbar.addEventListener('keydown', function (event) {
    var index = buttons.indexOf(document.activeElement);
    if (index < 0) return;
    var next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: buttons.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    focusButton((next + buttons.length) % buttons.length);
  });
  toolbar.addEventListener('click', function (event) {
    var button = event.target.closest('button[data-md]');
    if (button) run(button);
  });
  [imagePicker, termPicker].forEach(function (picker) {
    if (!picker) return;
    picker.addEventListener('click', function (event) {
      var button = event.target.closest('button[data-md]');
      if (button) run(button);
    });
  });
  textarea.addEventListener('keydown', function (event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
    var key = event.key.toLowerCase();
    var button = key === 'b' ? toolbar.querySelector('[data-md="bold"]') : key === 'i' ? toolbar.querySelector('[data-md="italic"]') : null;
    if (!button) return;
    event.preventDefault();
    run(button);
  });

  // A problem's line number (above the editor) moves the cursor to that line and selects it.
  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a[data-goto-line]');
    if (!link) return;
    var line = parseInt(link.getAttribute('data-goto-line'), 10);
    if (!(line > 0)) return;
    event.preventDefault();
    var lines = textarea.value.split('\n');
    var start = lines.slice(0, line - 1).join('\n').length + (line > 1 ? 1 : 0);
    var end = start + (lines[line - 1] || '').length;
    textarea.focus();
    textarea.setSelectionRange(Math.min(start, textarea.value.length), Math.min(end, textarea.value.length));
    // Scrolls the line into view: about one line height per line above it.
    var lineHeight = parseFloat(window.getComputedStyle(textarea).lineHeight) || 20;
    textarea.scrollTop = Math.max(0, (line - 3) * lineHeight);
  });

  toolbar.hidden = false;
  if (imagePicker) imagePicker.hidden = false;
  if (termPicker) termPicker.hidden = false;
  if (hint) hint.hidden = false;
})();
