// «Les opp» (issue 16): reads the lesson aloud with the browser's own speech synthesis, in the
// lesson's language. Progressive enhancement: the controls are in the page but hidden; this script
// shows them only when the browser has a voice for the language (nb-NO, nn-NO or en). Without this
// file, or without a voice, the page is exactly as before. The text is read block by block (one
// utterance per heading, paragraph or list item), which keeps Chrome from cutting long texts off
// and lets the reader follow along. The state is announced in an aria-live region.
(function () {
  'use strict';
  var box = document.getElementById('read-aloud');
  if (!box) return;
  var synth = window.speechSynthesis;
  if (!synth || typeof window.SpeechSynthesisUtterance !== 'function') return;

  var lang = box.getAttribute('data-lang') || 'nb-NO';
  var status = document.getElementById('read-aloud-status');
  var buttons = {
    read: box.querySelector('[data-action="read"]'),
    pause: box.querySelector('[data-action="pause"]'),
    resume: box.querySelector('[data-action="resume"]'),
    stop: box.querySelector('[data-action="stop"]'),
  };
  if (!status || !buttons.read || !buttons.pause || !buttons.resume || !buttons.stop) return;

  // A nynorsk text is better read by a Norwegian voice than not at all; "no" is the macrolanguage.
  var base = lang.slice(0, 2).toLowerCase();
  var wanted = base === 'nn' ? ['nn', 'nb', 'no'] : base === 'nb' ? ['nb', 'no', 'nn'] : [base];
  var voice = null;
  var state = 'idle';
  var queue = [];
  var run = 0;

  function pickVoice() {
    var voices = synth.getVoices() || [];
    for (var w = 0; w < wanted.length; w += 1) {
      for (var i = 0; i < voices.length; i += 1) {
        if (String(voices[i].lang || '').toLowerCase().replace('_', '-').split('-')[0] === wanted[w]) return voices[i];
      }
    }
    return null;
  }

  function say(key) {
    status.textContent = box.getAttribute('data-status-' + key) || '';
  }

  function setState(next, focusAfter) {
    state = next;
    buttons.read.disabled = next !== 'idle';
    buttons.pause.disabled = next !== 'speaking';
    buttons.resume.disabled = next !== 'paused';
    buttons.stop.disabled = next === 'idle';
    box.setAttribute('data-state', next);
    // The button just pressed is now disabled: keep the keyboard user on the next useful one.
    if (focusAfter && !focusAfter.disabled) focusAfter.focus();
  }

  // What is read: the title, the "Kort fortalt" box and the lesson text, block by block.
  function blocks() {
    var roots = document.querySelectorAll('[data-read-aloud]');
    var out = [];
    for (var r = 0; r < roots.length; r += 1) {
      var root = roots[r];
      var found = root.matches('h1, h2, h3, h4, p, li, dt, dd, th, td, blockquote') ? [root] : root.querySelectorAll('h2, h3, h4, p, li, dt, dd, th, td');
      for (var i = 0; i < found.length; i += 1) {
        var el = found[i];
        if (el.closest('form, [hidden], .read-aloud, .visually-hidden')) continue;
        var text = (el.textContent || '').replace(/\s+/g, ' ').trim();
        if (text) out.push(text);
      }
    }
    return out;
  }

  function next(myRun) {
    if (myRun !== run || state === 'idle') return;
    var text = queue.shift();
    if (text === undefined) {
      setState('idle', buttons.read);
      say('done');
      return;
    }
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = voice && voice.lang ? voice.lang : lang;
    if (voice) utterance.voice = voice;
    utterance.onend = function () { next(myRun); };
    utterance.onerror = function (event) {
      // Cancelling (Stop) ends the current utterance with an error; that is not a failure.
      if (myRun !== run || (event && (event.error === 'canceled' || event.error === 'interrupted'))) return;
      run += 1;
      setState('idle', buttons.read);
      say('error');
    };
    synth.speak(utterance);
  }

  buttons.read.addEventListener('click', function () {
    if (state !== 'idle') return;
    synth.cancel();
    queue = blocks();
    run += 1;
    setState('speaking', buttons.pause);
    say('speaking');
    next(run);
  });
  buttons.pause.addEventListener('click', function () {
    if (state !== 'speaking') return;
    synth.pause();
    setState('paused', buttons.resume);
    say('paused');
  });
  buttons.resume.addEventListener('click', function () {
    if (state !== 'paused') return;
    synth.resume();
    setState('speaking', buttons.pause);
    say('speaking');
  });
  buttons.stop.addEventListener('click', function () {
    if (state === 'idle') return;
    run += 1;
    queue = [];
    synth.cancel();
    setState('idle', buttons.read);
    say('stopped');
  });
  // Leaving the page stops the voice (some browsers would otherwise read on).
  window.addEventListener('pagehide', function () { synth.cancel(); });

  function offer() {
    if (voice) return;
    voice = pickVoice();
    if (!voice) return;
    setState('idle');
    box.hidden = false;
  }
  offer();
  // Voices often load after the page: Chrome fills the list and fires voiceschanged.
  if (!voice && typeof synth.addEventListener === 'function') synth.addEventListener('voiceschanged', offer);
})();
