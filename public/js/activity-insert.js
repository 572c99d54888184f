// "Sett inn aktivitet" at the cursor (progressive enhancement: without this file the form asks
// where the block goes, and offers the end of the lesson). When the text in the editor is the saved
// text, the link carries the cursor's line, and the server places the block at the end of that
// line's section. With unsaved changes the line would not match the saved lesson, so it is left out.
(function () {
  'use strict';
  var link = document.querySelector('a[data-insert-activity]');
  var textarea = document.getElementById('lesson-text');
  if (!link || !textarea) return;
  link.addEventListener('click', function () {
    if (textarea.value !== textarea.defaultValue) return;
    var line = textarea.value.slice(0, textarea.selectionStart).split('\n').length;
    var url = new URL(link.href, window.location.href);
    url.searchParams.set('linje', String(line));
    link.href = url.toString();
  });
})();
