// The team-session guide: buttons for full screen (projecting) and printing. Without this file the
// page reads the same, and the browser's own full screen and print do the job.
(function () {
  'use strict';
  var guide = document.getElementById('guide');
  if (!guide) return;
  var fullscreen = document.querySelector('[data-guide-fullscreen]');
  var print = document.querySelector('[data-guide-print]');
  if (fullscreen && guide.requestFullscreen) {
    fullscreen.hidden = false;
    fullscreen.addEventListener('click', function () {
      if (document.fullscreenElement) document.exitFullscreen();
      else guide.requestFullscreen();
    });
  }
  if (print && window.print) {
    print.hidden = false;
    print.addEventListener('click', function () {
      window.print();
    });
  }
})();
