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
    // Citation chips in messages lose their aria-label to Gradio's sanitizer, which
    // keeps title: the name is rebuilt as qa.web.markup writes it, "Source N: title".
    for (const chip of document.querySelectorAll('#qa-chat a.qa-chip[title]:not([aria-label])')) {
      chip.setAttribute('aria-label', `Source ${chip.textContent.trim()}: ${chip.title}`);
    }
    // A text box with a submit button sits in one <label> with it, so its name
    // would be "Question Ask": name it by its (hidden) label text alone.
    for (const box of document.querySelectorAll('label.container:has(.submit-button) textarea:not([aria-label])')) {
      const label = box.closest('label').querySelector('[data-testid="block-info"]');
      if (label && label.textContent.trim()) box.setAttribute('aria-label', label.textContent.trim());
    }
  };
  repair();
  new MutationObserver(repair).observe(document.body, {childList: true, subtree: true});
}
