// The embeddable chat. It builds every node with textContent, never innerHTML:
// questions and article text are shown, never interpreted.
"use strict";

(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("ask");
  const input = document.getElementById("question");
  const send = document.getElementById("send");
  const article = document.getElementById("article"); // a <dialog>
  let history = []; // the user's earlier questions, oldest first
  let opener = null; // the chip or title that opened the article, to return the focus to

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  // -- talking to the API ------------------------------------------------------
  async function errorOf(response) {
    try {
      const body = await response.json();
      return [body.error || response.statusText, body.hint || ""];
    } catch (e) {
      return [response.status + " " + response.statusText, ""];
    }
  }

  // Streams the answer: onToken(text, verified) as it is produced; resolves to the answer object.
  async function ask(question, earlier, onToken) {
    const response = await fetch("api/ask/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/x-ndjson" },
      body: JSON.stringify({ question: question, history: earlier }),
    });
    if (!response.ok) throw await errorOf(response);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffered = "";
    let answer = null;
    for (;;) {
      const { value, done } = await reader.read();
      buffered += decoder.decode(value || new Uint8Array(), { stream: !done });
      let nl;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (!line) continue;
        const event = JSON.parse(line);
        if (event.kind === "token") onToken(event.text, event.verified !== false);
        else if (event.kind === "answer") answer = event.answer;
        else if (event.kind === "error") throw [event.error, event.hint || ""];
      }
      if (done) break;
    }
    if (!answer) throw ["The answer was cut off.", "Try again."];
    return answer;
  }

  // -- rendering ---------------------------------------------------------------------
  function label(c) {
    if (c.kind === "comment") return "reader comment";
    if (c.kind === "related") return "related article on the same page";
    return "";
  }

  function chip(c) {
    const b = el("button", "chip", String(c.n));
    b.type = "button";
    b.title = c.title + (label(c) ? " (" + label(c) + ")" : "");
    b.setAttribute("aria-label", "Source " + c.n + ": " + c.title);
    b.addEventListener("click", () => openArticle(c));
    return b;
  }

  // The answer text with each [n] marker turned into a citation chip.
  function answerText(answer) {
    const byN = new Map(answer.citations.map((c) => [c.n, c]));
    const p = el("p", "text");
    // With the stop or quotation mark closing its sentence: a line may break after
    // a chip (an inline block), but not between it and the full stop.
    const marker = /\[(\d+)\]([.,;:!?)\]”’"']*)/g;
    let last = 0;
    let m;
    while ((m = marker.exec(answer.answer)) !== null) {
      const c = byN.get(Number(m[1]));
      if (!c) continue; // an unmatched [n] stays as text
      p.appendChild(document.createTextNode(answer.answer.slice(last, m.index)));
      if (m[2]) {
        const cited = el("span", "cited");
        cited.append(chip(c), m[2]);
        p.appendChild(cited);
      } else {
        p.appendChild(chip(c));
      }
      last = m.index + m[0].length;
    }
    p.appendChild(document.createTextNode(answer.answer.slice(last)));
    return p;
  }

  function sources(answer) {
    const details = el("details", "sources");
    details.open = answer.abstained; // the answer says the closest passages are listed below
    const what = answer.abstained ? "Closest passages" : "Sources";
    details.appendChild(el("summary", "", what + " (" + answer.citations.length + ")"));
    const list = el("ol");
    for (const c of answer.citations) {
      const li = el("li", "source");
      const title = el("button", "link title", "[" + c.n + "] " + c.title);
      title.type = "button";
      title.addEventListener("click", () => openArticle(c));
      li.appendChild(title);
      const meta = [c.publisher, c.date].filter(Boolean).join(" · ");
      if (meta) li.appendChild(el("div", "meta", meta));
      if (label(c)) li.appendChild(el("div", "kind " + c.kind, label(c)));
      li.appendChild(el("blockquote", "", c.shown)); // the quote as a reader sees it: c.quote may hold markup
      list.appendChild(li);
    }
    details.appendChild(list);
    return details;
  }

  function renderAnswer(bubble, answer) {
    bubble.replaceChildren();
    // A reply to a greeting or "What can you do?" abstains without being an answer that failed.
    const notFound = answer.abstained && !answer.conversation;
    bubble.classList.toggle("abstained", notFound);
    if (notFound) bubble.appendChild(el("div", "badge", "Not found in the articles"));
    bubble.appendChild(answerText(answer));
    if (answer.fallback) bubble.appendChild(el("p", "note", "Note: " + answer.fallback));
    if (answer.caution) bubble.appendChild(el("p", "note caution", answer.caution));
    if (answer.citations.length) bubble.appendChild(sources(answer));
  }

  function renderError(bubble, err) {
    const [message, hint] = Array.isArray(err) ? err : [String(err), ""];
    bubble.replaceChildren(el("div", "badge", "Could not answer"), el("p", "text", message));
    if (hint) bubble.appendChild(el("p", "hint", hint));
    bubble.classList.add("error");
  }

  // -- the article view -------------------------------------------------------------
  // A modal dialog over the conversation: the focus moves onto the cited
  // passage once it is there (a screen reader reads it), and closing the
  // dialog (Close, or Escape) returns the focus to the chip that opened it.
  async function openArticle(c) {
    opener = document.activeElement;
    document.getElementById("article-title").textContent = c.title;
    document.getElementById("article-meta").textContent = [c.publisher, c.date, label(c)].filter(Boolean).join(" · ");
    const body = document.getElementById("article-text");
    body.replaceChildren(el("p", "hint", "Loading…"));
    if (!article.open) article.showModal();
    const path = c.source.split("/").map(encodeURIComponent).join("/");
    const response = await fetch("api/document/" + path + "?start=" + c.start + "&end=" + c.end);
    if (!response.ok) {
      const [message] = await errorOf(response);
      body.replaceChildren(el("p", "hint", message));
      return;
    }
    const [before, quote, after] = readingOf(await response.json(), c);
    const mark = el("mark", "", quote);
    mark.tabIndex = -1; // focused from here, not a stop of the Tab key
    body.replaceChildren(document.createTextNode(before), mark, document.createTextNode(after));
    mark.scrollIntoView({ block: "center" });
    if (article.open) mark.focus({ preventScroll: true });
  }

  // The article as a reader sees it (no markup, paragraphs apart), cut at the
  // citation, as the server sends it; from a server that does not, the file's text cut there.
  function readingOf(doc, c) {
    if (typeof doc.quote === "string") return [doc.before, doc.quote, doc.after];
    const chars = Array.from(doc.text); // offsets count code points (Python), not UTF-16 units
    return [chars.slice(0, c.start), chars.slice(c.start, c.end), chars.slice(c.end)].map((p) => p.join(""));
  }

  document.getElementById("article-close").addEventListener("click", () => article.close());
  // Escape closes a modal dialog by itself; either way, back to where the reader was.
  article.addEventListener("close", () => {
    if (opener && opener.isConnected) opener.focus();
    opener = null;
  });

  document.getElementById("new-chat").addEventListener("click", () => {
    history = [];
    log.replaceChildren();
    opener = null;
    if (article.open) article.close();
    input.focus();
  });

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const question = input.value.trim();
    if (!question) return;
    input.value = "";
    send.disabled = true;
    log.appendChild(el("div", "msg user", question));
    const bubble = el("div", "msg bot pending");
    bubble.setAttribute("aria-busy", "true"); // announced once finished, not word by word
    const text = el("p", "text", "");
    bubble.appendChild(text);
    log.appendChild(bubble);
    scrollToEnd();
    try {
      const answer = await ask(question, history.slice(), (t, verified) => {
        // A model's draft is not shown: its sentences are checked only once it is complete.
        if (!verified) {
          bubble.classList.add("checking");
          text.textContent = "Writing the answer and checking each sentence against the articles…";
        } else {
          text.textContent += t;
        }
        scrollToEnd();
      });
      renderAnswer(bubble, answer);
      history.push(question);
    } catch (err) {
      renderError(bubble, err);
    } finally {
      bubble.classList.remove("pending", "checking");
      bubble.removeAttribute("aria-busy");
      send.disabled = false;
      scrollToEnd();
      input.focus();
    }
  });

  input.disabled = false;
  send.disabled = false;
})();
