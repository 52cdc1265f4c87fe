// One listener for every citation link on the page (chat chips, sources
// panel): it hands the link's "#cite-T-N" to the article panel's click event,
// and the panel scrolls to the marked passage whenever it changes. Gradio runs
// this as the article panel's js_on_load, with `element`, `trigger` and `watch`.
if (window.__qaCiteClick) document.removeEventListener('click', window.__qaCiteClick, true);
window.__qaCiteClick = (event) => {
  const link = event.target.closest && event.target.closest('a[href^="#cite-"]');
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  trigger('click', {cite: link.getAttribute('href').slice(1)});
};
document.addEventListener('click', window.__qaCiteClick, true);
watch('value', () => {
  const mark = element.querySelector('mark.qa-highlight');
  if (mark) mark.scrollIntoView({block: 'center'});
});
