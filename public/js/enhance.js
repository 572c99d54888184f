// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';
  // Move focus to the main landmark when the skip link is used (some browsers keep it on the link).
  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a.skip-link');
    if (!link) return;
    var main = document.getElementById('main');
    if (main) main.focus();
  });
})();
