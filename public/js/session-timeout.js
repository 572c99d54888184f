// The time-out warning (WCAG 2.2.1 Timing Adjustable). Loaded only for signed-in people. Two
// minutes before the session would end, a modal dialog says so; before the idle limit it offers
// «Fortsett å være innlogget», which renews the session on the server (POST /okt/forleng). The
// 12-hour limit cannot be extended, so before it the dialog only warns. When the time is up it says
// the person is logged out and links to the login page, back to this page. The script never renews
// the session on its own: only the person's click (or Escape, see below) does.
//
// Without this file nothing changes: the dialog in the layout stays closed and the session ends as
// before. Timings come from the layout (data attributes on #session-timeout), counted from page
// load on this browser's clock, so a clock that is set wrong does not matter.
(function () {
  'use strict';
  var dialog = document.getElementById('session-timeout');
  if (!dialog || typeof dialog.showModal !== 'function' || !window.fetch) return;

  var STORAGE_KEY = 'fellesskap:session-renewed';
  var idleMs = Number(dialog.getAttribute('data-idle-seconds')) * 1000;
  var warningMs = Number(dialog.getAttribute('data-warning-seconds')) * 1000;
  var loadedAt = Date.now();
  var idleEnd = 0;
  var absoluteEnd = loadedAt + Number(dialog.getAttribute('data-absolute-seconds')) * 1000;
  if (!(idleMs > 0) || !(warningMs > 0) || isNaN(absoluteEnd)) return;

  var title = document.getElementById('session-timeout-title');
  var message = document.getElementById('session-timeout-message');
  var errorText = dialog.querySelector('.session-dialog-error');
  var extendButton = dialog.querySelector('[data-action="extend"]');
  var loginLink = dialog.querySelector('[data-action="login"]');
  var logoutForm = dialog.querySelector('[data-action="logout"]');
  var closeButton = dialog.querySelector('[data-action="close"]');

  /** 'idle' or 'absolute' (a warning), 'ended', or null while the dialog is closed. */
  var mode = null;
  /** The absolute warning, once closed, stays closed until the time is up. */
  var absoluteDismissed = false;
  var returnFocusTo = null;
  var timer = null;
  var busy = false;

  function text(name) {
    return dialog.getAttribute('data-' + name) || '';
  }

  function minutesText(ms) {
    var minutes = Math.max(1, Math.ceil(ms / 60000));
    return minutes === 1 ? text('minute-one') : text('minute-other').replace('{n}', String(minutes));
  }

  function nextEnd() {
    return idleEnd <= absoluteEnd ? { kind: 'idle', at: idleEnd } : { kind: 'absolute', at: absoluteEnd };
  }

  function open(newMode, focusTarget) {
    var changed = mode !== newMode;
    mode = newMode;
    if (!dialog.open) {
      returnFocusTo = document.activeElement;
      dialog.showModal();
      focusTarget.focus();
    } else if (changed) {
      focusTarget.focus();
    }
  }

  function showWarning(kind, remaining) {
    title.textContent = text('title-' + kind);
    message.textContent = text('message-' + kind).replace('{minutes}', minutesText(remaining));
    extendButton.hidden = kind !== 'idle';
    loginLink.hidden = true;
    logoutForm.hidden = false;
    closeButton.hidden = kind === 'idle';
    if (mode !== kind) errorText.hidden = true;
    open(kind, kind === 'idle' ? extendButton : closeButton);
  }

  function showEnded() {
    title.textContent = text('title-ended');
    message.textContent = text('message-ended');
    errorText.hidden = true;
    extendButton.hidden = true;
    logoutForm.hidden = true;
    closeButton.hidden = false;
    loginLink.href = '/logg-inn?returnTo=' + encodeURIComponent(window.location.pathname + window.location.search);
    loginLink.hidden = false;
    open('ended', loginLink);
  }

  /** Focus goes back where it was when the dialog opened (or to the main content). */
  function restoreFocus() {
    var target = returnFocusTo;
    returnFocusTo = null;
    if (target && target !== document.body && document.contains(target) && typeof target.focus === 'function') target.focus();
    else document.getElementById('main').focus();
  }

  function close() {
    if (mode !== 'ended') mode = null;
    if (!dialog.open) return;
    dialog.close();
    // At once, not only in the 'close' event, which the browser fires a moment later: a keyboard
    // user's next key must not land on the page's body in between.
    restoreFocus();
  }

  /** Shows what the time calls for and sets the timer for the next change (a minute less, or the end). */
  function check() {
    window.clearTimeout(timer);
    if (mode === 'ended') return;
    var end = nextEnd();
    var remaining = end.at - Date.now();
    if (remaining <= 0) {
      showEnded();
      return;
    }
    if (remaining > warningMs) {
      if (mode === 'idle') close();
      timer = window.setTimeout(check, remaining - warningMs);
      return;
    }
    if (end.kind === 'idle' || !absoluteDismissed) showWarning(end.kind, remaining);
    timer = window.setTimeout(check, remaining % 60000 || 60000);
  }

  /** The session was renewed now (this page, another tab, or a save): the idle limit starts again. */
  function renewed(at, tell) {
    if (at + idleMs <= idleEnd) return;
    idleEnd = at + idleMs;
    if (tell) {
      try {
        window.localStorage.setItem(STORAGE_KEY, String(at));
      } catch {
        // Storage may be switched off; the other tabs then warn on their own timers.
      }
    }
    check();
  }

  function extend() {
    if (busy) return;
    busy = true;
    errorText.hidden = true;
    fetch(dialog.getAttribute('data-extend-url'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'X-CSRF-Token': dialog.getAttribute('data-csrf') },
    })
      .then(function (response) {
        // 401: the session has ended. 403: the token no longer belongs to this browser's session,
        // which happens only when the session was replaced — ended too.
        if (response.status === 401 || response.status === 403) {
          showEnded();
          return;
        }
        if (!response.ok) throw new Error('session extension failed: ' + response.status);
        return response.json().then(function () {
          close();
          renewed(Date.now(), true);
        });
      })
      .catch(function () {
        errorText.textContent = text('extend-failed');
        errorText.hidden = false;
      })
      .then(function () {
        busy = false;
      });
  }

  extendButton.addEventListener('click', extend);
  closeButton.addEventListener('click', function () {
    if (mode === 'absolute') absoluteDismissed = true;
    close();
  });

  // Escape: before the idle limit, pressing a key proves the person is there, so it keeps them
  // signed in, as the button does (closing the warning and then being logged out a minute later
  // would punish a reflex). The other dialogs just close.
  dialog.addEventListener('cancel', function (event) {
    if (mode === 'idle') {
      event.preventDefault();
      extend();
    } else if (mode === 'absolute') {
      absoluteDismissed = true;
    }
  });

  dialog.addEventListener('close', function () {
    if (mode === 'absolute') absoluteDismissed = true;
    if (mode !== 'ended') mode = null;
    // Closed by the browser (Escape on a warning that only informs): focus goes back now; after our
    // own close() it already has, and focusing again changes nothing.
    if (document.activeElement === document.body || dialog.contains(document.activeElement)) restoreFocus();
  });

  // Tab and Shift+Tab stay inside the dialog, going round.
  dialog.addEventListener('keydown', function (event) {
    if (event.key !== 'Tab') return;
    var focusable = Array.prototype.filter.call(dialog.querySelectorAll('button, a[href]'), function (el) {
      return el.getClientRects().length > 0;
    });
    if (!focusable.length) return;
    var first = focusable[0];
    var last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });

  // A save on this page (autosave) or a page in another tab renewed the session too.
  document.addEventListener('fellesskap:session-renewed', function () {
    renewed(Date.now(), true);
  });
  window.addEventListener('storage', function (event) {
    if (event.key === STORAGE_KEY && event.newValue) renewed(Number(event.newValue), false);
  });
  // Timers sleep in background tabs and suspended laptops: look at the clock again on return.
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible') check();
  });

  // This page's own request renewed the session (and sets the first timer).
  renewed(loadedAt, true);
})();
