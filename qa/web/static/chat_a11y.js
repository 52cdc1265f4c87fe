() => {
  // Repairs to Gradio's own markup that its components offer no option for.
  // They run on every change of the page, since Gradio re-creates the nodes
  // (the example questions come back with each new chat).
  const repair = () => {
    // The example questions are buttons inside role="list", which allows only
    // list items: a screen reader announces a list of nothing. A named group
    // keeps them together and leaves each a button.
    for (const examples of document.querySelectorAll('#qa-chat .examples[role="list"]')) {
      examples.setAttribute('role', 'group');
      examples.setAttribute('aria-label', 'Example questions');
    }
  };
  repair();
  new MutationObserver(repair).observe(document.body, {childList: true, subtree: true});
}
