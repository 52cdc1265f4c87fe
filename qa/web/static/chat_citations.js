// One listener for every citation link on the page (chat chips, sources
// panel): it hands the link's "#cite-T-N" to the article panel's click event,
// and the panel scrolls to the marked passage whenever it changes. Gradio runs
// this as the article panel's js_on_load, with `element`, `trigger` and `watch`.
//
// For the keyboard: opening a citation (Enter on a chip) moves the focus onto
// the marked passage, so a screen reader reads it; Escape inside the article,
// or its "Back to the answer" button, puts the focus back on that chip.
if (window.__qaCiteClick) document.removeEventListener('click', window.__qaCiteClick, true);
if (window.__qaCiteKey) document.removeEventListener('keydown', window.__qaCiteKey, true);
let opener = null;        // the link that opened the article shown
let requested = null;     // the "cite-T-N" asked for last
let shown = null;         // and the one on screen
let focusPassage = false; // move the focus once the requested article arrives

function backToOpener() {
  if (!opener) return;
  // A link re-rendered since (a new sources panel) is found again by its target.
  const link = opener.isConnected ? opener : document.querySelector(`a[href="${opener.getAttribute('href')}"]`);
  if (!link) return;
  link.focus({preventScroll: true});
  link.scrollIntoView({block: 'nearest'});
}

window.__qaCiteClick = (event) => {
  if (event.target.closest && event.target.closest('.qa-article-back')) {
    backToOpener();
    return;
  }
  const link = event.target.closest && event.target.closest('a[href^="#cite-"]');
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  opener = link;
  requested = link.getAttribute('href').slice(1);
  const mark = element.querySelector('mark.qa-highlight');
  if (requested === shown && mark) {
    // Already open: the panel will not change, so no watch() to wait for.
    mark.scrollIntoView({block: 'center'});
    mark.focus({preventScroll: true});
    return;
  }
  focusPassage = true;
  trigger('click', {cite: requested});
};
window.__qaCiteKey = (event) => {
  if (event.key === 'Escape' && element.contains(document.activeElement)) {
    event.preventDefault();
    backToOpener();
  }
};
document.addEventListener('click', window.__qaCiteClick, true);
document.addEventListener('keydown', window.__qaCiteKey, true);
watch('value', () => {
  const mark = element.querySelector('mark.qa-highlight');
  shown = mark ? requested : null;
  if (!mark) return;
  mark.scrollIntoView({block: 'center'});
  if (focusPassage) mark.focus({preventScroll: true});
  focusPassage = false;
});
