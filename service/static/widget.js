/*
 * <newsqa-chat>: the newsqa chat widget, one file, no dependencies, no requests except to
 * the configured service.
 *
 * One-tag embed (the tag creates the widget because it carries data-endpoint):
 *   <script src="https://host/widget.js" data-endpoint="https://host" data-key="..."
 *           data-collection="archive" data-title="Ask the news" data-position="bottom-right"></script>
 * Direct use (a script tag without data-endpoint only defines the element):
 *   <newsqa-chat endpoint="https://host" key="..." collection="archive" heading="Ask the news"></newsqa-chat>
 * Without a collection the service answers from its default one; a key bound to other
 * collections then gets "not found".
 *
 * Answers, titles and quotes come from untrusted articles: they are only ever written as
 * text nodes, and a link is made only from an http(s) URL.
 */
(() => {
  "use strict";

  const TAG = "newsqa-chat";
  const SCRIPT = document.currentScript;
  const SCRIPT_ATTRIBUTES = {
    "data-endpoint": "endpoint", "data-key": "key", "data-collection": "collection", "data-title": "heading",
    "data-placeholder": "placeholder", "data-theme-color": "theme-color", "data-position": "position",
  };
  const DEFAULTS = { heading: "Ask the news", placeholder: "Ask a question about the news…", color: "#0b5cad" };
  const HISTORY_MESSAGES = 20;      // the API accepts 50; recent turns are what a follow-up needs
  const MESSAGE_CHARS = 8000;       // the API's limit for one history message
  const MARKERS = /\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]/g;
  const SVG_NS = "http://www.w3.org/2000/svg";
  const ICONS = {
    send: "M3 11.5 20.5 3l-6.7 18-2.9-7.3L3 11.5Zm7.9 2.2 2.1 5.2 4.6-12.4-6.7 7.2Zm-1-1L17 5.5 4.8 11.3l5.1 1.4Z",
    stop: "M7 7h10v10H7z",
    chat: "M4 4h16v11H8.5L4 19V4Zm2 2v8.2L7.7 13H18V6H6Z",
    close: "M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4L12 13.4 6.4 19 5 17.6 10.6 12 5 6.4 6.4 5Z",
  };

  const STYLE = `
    :host { all: initial; display: block; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto,
            "Helvetica Neue", Arial, "Liberation Sans", sans-serif; color: #1c2430;
            --accent: ${DEFAULTS.color}; --on-accent: #fff; }
    :host([hidden]) { display: none; }
    *, *::before, *::after { box-sizing: border-box; }
    .sr-only { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; border: 0;
               overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    button { font: inherit; cursor: pointer; }
    :focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
    svg { width: 20px; height: 20px; fill: currentColor; flex: none; }

    .panel { display: flex; flex-direction: column; background: #fff; border: 1px solid #d5dbe3;
             border-radius: 14px; overflow: hidden; height: var(--newsqa-height, 560px); min-height: 320px;
             box-shadow: 0 1px 2px rgba(16, 24, 40, .06); }
    .float .panel { position: fixed; bottom: 88px; width: min(400px, calc(100vw - 32px));
                    height: min(620px, calc(100vh - 120px)); z-index: 2147483000;
                    box-shadow: 0 12px 40px rgba(16, 24, 40, .22); }
    .float .panel[hidden] { display: none; }
    .right .panel, .right .launcher { right: 16px; }
    .left .panel, .left .launcher { left: 16px; }
    .launcher { position: fixed; bottom: 16px; z-index: 2147483000; display: flex; align-items: center;
                gap: 8px; padding: 12px 18px; border: 0; border-radius: 999px; background: var(--accent);
                color: var(--on-accent); font-weight: 600; box-shadow: 0 6px 20px rgba(16, 24, 40, .25); }
    .inline .launcher, .inline .close { display: none; }

    header { display: flex; align-items: center; gap: 8px; padding: 12px 12px 12px 16px;
             background: var(--accent); color: var(--on-accent); }
    header h2 { flex: 1; margin: 0; font-size: 16px; font-weight: 600; overflow: hidden;
                text-overflow: ellipsis; white-space: nowrap; }
    header button { display: flex; align-items: center; gap: 4px; padding: 6px 10px; border-radius: 8px;
                    border: 1px solid currentColor; background: transparent; color: inherit; font-size: 13px; }
    header .close { border-color: transparent; padding: 6px; }
    header :focus-visible { outline-color: var(--on-accent); }

    .log { position: relative; flex: 1; overflow-y: auto; padding: 16px; display: flex; flex-direction: column; gap: 12px;
           scroll-behavior: smooth; background: #f6f8fb; }
    .empty { margin: auto 0; color: #5b6675; text-align: center; font-size: 14px; }
    .msg { max-width: 100%; padding: 10px 14px; border-radius: 12px; overflow-wrap: anywhere; }
    .msg p { margin: 0; }
    .user { align-self: flex-end; max-width: 85%; background: var(--accent); color: var(--on-accent);
            white-space: pre-wrap; border-bottom-right-radius: 4px; }
    .answer { align-self: stretch; background: #fff; border: 1px solid #dfe4eb; border-bottom-left-radius: 4px; }
    .answer .text { white-space: pre-wrap; }
    .answer sup { position: relative; top: -.4em; vertical-align: baseline; line-height: 0; }
    .answer sup a { margin-left: 2px; padding: 1px 5px; border-radius: 6px; background: #e7eef7;
                    color: var(--accent); font-size: 11px; font-weight: 700; text-decoration: none; }
    .answer sup a:hover { background: var(--accent); color: var(--on-accent); }
    .unsupported { text-decoration: underline dotted #b26b00; text-underline-offset: 3px; }
    .status { color: #5b6675; font-size: 13px; margin-top: 4px; }
    .dots span { display: inline-block; width: 5px; height: 5px; margin-left: 3px; border-radius: 50%;
                 background: currentColor; animation: blink 1.2s infinite ease-in-out; }
    .dots span:nth-child(2) { animation-delay: .2s; }
    .dots span:nth-child(3) { animation-delay: .4s; }
    @keyframes blink { 0%, 80%, 100% { opacity: .25; } 40% { opacity: 1; } }

    .refused { background: #fff8eb; border: 1px dashed #d49a2a; }
    .badge { display: inline-block; margin-bottom: 6px; padding: 1px 8px; border-radius: 999px;
             background: #f5dfb3; color: #6b4500; font-size: 12px; font-weight: 600; }
    .error { background: #fdeeee; border: 1px solid #e4a5a5; color: #7a1f1f; }
    .error button { margin-top: 8px; padding: 4px 12px; border-radius: 8px; border: 1px solid #b94a4a;
                    background: #fff; color: #7a1f1f; font-size: 13px; }

    h3 { margin: 12px 0 6px; font-size: 12px; font-weight: 700; letter-spacing: .04em;
         text-transform: uppercase; color: #5b6675; }
    ol.sources { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
    .source { display: flex; gap: 8px; padding: 8px; border-radius: 8px; background: #f6f8fb;
              font-size: 13px; transition: background-color .6s; }
    .source.highlight { background: #e2ecf8; }
    .source:focus { outline: 2px solid var(--accent); }
    .num { flex: none; min-width: 1.6em; height: 1.6em; border-radius: 6px; background: #e7eef7;
           color: var(--accent); font-weight: 700; font-size: 11px; line-height: 1.6em; text-align: center; }
    .source .body { min-width: 0; flex: 1; }
    .source .title { font-weight: 600; color: #1c2430; }
    .source a.title { color: var(--accent); text-decoration: none; }
    .source a.title:hover { text-decoration: underline; }
    .meta { color: #5b6675; font-size: 12px; }
    details { margin-top: 4px; }
    summary { cursor: pointer; color: #3d4a5c; font-size: 12px; }
    blockquote { margin: 6px 0 0; padding: 4px 10px; border-left: 3px solid var(--accent); color: #2e3a4a;
                 background: #fff; white-space: pre-wrap; }

    form { display: flex; align-items: flex-end; gap: 8px; padding: 10px 12px; border-top: 1px solid #dfe4eb;
           background: #fff; }
    textarea { flex: 1; min-width: 0; resize: none; max-height: 9em; padding: 9px 12px; border: 1px solid #c3ccd8;
               border-radius: 10px; font: inherit; color: inherit; background: #fff; line-height: 1.4; }
    textarea:focus { border-color: var(--accent); outline: 2px solid color-mix(in srgb, var(--accent) 30%, transparent);
                     outline-offset: 0; }
    .send { display: flex; align-items: center; justify-content: center; width: 42px; height: 42px; flex: none;
            border: 0; border-radius: 10px; background: var(--accent); color: var(--on-accent); }
    .hint { margin: 0; padding: 0 12px 8px; background: #fff; color: #6b7685; font-size: 11px; }

    @media (max-width: 480px) {
      .float .panel { left: 0; right: 0; bottom: 0; width: 100vw; height: 100vh; height: 100dvh; border-radius: 0; }
      .hint { display: none; }
      .user { max-width: 92%; }
    }
    @media (prefers-reduced-motion: reduce) {
      *, *::before, *::after { animation: none !important; transition: none !important; scroll-behavior: auto !important; }
    }
  `;

  /** Builds an element; strings become text nodes, so server text can never become markup. */
  function h(tag, attributes = {}, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value !== null && value !== undefined && value !== false) el.setAttribute(name, value === true ? "" : String(value));
    }
    el.append(...children.filter((child) => child !== null && child !== undefined && child !== false));
    return el;
  }

  function icon(name) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", ICONS[name]);
    svg.append(path);
    return svg;
  }

  /** Only web links: an article's URL must not become a javascript: or data: link. */
  function safeUrl(url) {
    if (typeof url !== "string" || !url) return null;
    try {
      const parsed = new URL(url);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch {
      return null;
    }
  }

  /** The site an article came from ("example.org"): names an article that gives no source. */
  function siteOf(url) {
    const safe = safeUrl(url);
    return safe ? new URL(safe).hostname.replace(/^www\./, "") : "";
  }

  function formatDate(value) {
    if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}/.test(value)) return value || "";
    const date = new Date(`${value.slice(0, 10)}T00:00:00Z`);
    if (Number.isNaN(date.getTime())) return value;
    return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" }).format(date);
  }

  function plainText(answer) {
    return String(answer || "").replace(MARKERS, "").trim();
  }

  /** Retry-After is either seconds or an HTTP date; both become "in N seconds/minutes". */
  function waitText(header) {
    if (!header) return "in a moment";
    let seconds = /^\d+$/.test(header.trim()) ? Number(header) : Math.ceil((Date.parse(header) - Date.now()) / 1000);
    if (!Number.isFinite(seconds)) return "in a moment";
    seconds = Math.max(1, seconds);
    if (seconds < 60) return `in ${seconds} second${seconds === 1 ? "" : "s"}`;
    const minutes = Math.ceil(seconds / 60);
    return `in ${minutes} minute${minutes === 1 ? "" : "s"}`;
  }

  /** A failure the conversation can explain; ``retry`` says whether resending may help. */
  class Problem extends Error {
    constructor(message, retry = true) {
      super(message);
      this.retry = retry;
    }
  }

  async function httpProblem(response) {
    let detail = "";
    try {
      const body = await response.json();
      if (typeof body.detail === "string") detail = body.detail;
    } catch {
      detail = "";
    }
    const wait = waitText(response.headers.get("Retry-After"));
    switch (response.status) {
      case 401:
        return new Problem("This chat could not sign in to the news service: its access key is missing or not valid (401).", false);
      case 403:
        return new Problem(`This chat is not allowed to ask the news service (403)${detail ? `: ${detail}` : "."}`, false);
      case 404:
        return new Problem("This chat asks for a collection of articles that the news service does not offer it (404).", false);
      case 429:
        return new Problem(`Too many questions right now. Please try again ${wait}.`);
      case 422:
        return new Problem(`The question could not be sent${detail ? `: ${detail}` : "."}`, false);
      case 503:
        return new Problem(`The news service is temporarily unavailable${detail ? ` (${detail})` : ""}. Please try again ${wait}.`);
      default:
        return new Problem(`The news service failed to answer (HTTP ${response.status}). Please try again.`);
    }
  }

  function parseEvent(block) {
    let type = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (!line || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") type = value;
      else if (field === "data") data.push(value);
    }
    if (!data.length) return null;
    try {
      return { type, data: JSON.parse(data.join("\n")) };
    } catch {
      return null;
    }
  }

  /** Server-Sent Events from a fetch body (EventSource cannot POST or send headers). */
  async function* readEvents(body) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer = (buffer + value).replace(/\r\n/g, "\n");
        let end;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          const event = parseEvent(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (event) yield event;
        }
      }
    } finally {
      reader.cancel().catch(() => {});
    }
  }

  /** Answer text with [n] markers as superscript links and unsupported sentences flagged. */
  function markedText(answer, citations, turn, unsupported) {
    const titles = new Map(citations.map((c) => [Number(c.n), c.title]));
    const p = h("p", { class: "text" });
    const flagged = unsupported.filter((s) => s && answer.includes(s));
    let rest = answer;
    while (rest) {
      const hits = flagged.map((s) => [rest.indexOf(s), s]).filter(([at]) => at !== -1).sort((a, b) => a[0] - b[0]);
      if (!hits.length) {
        appendMarked(p, rest, titles, turn);
        break;
      }
      const [at, sentence] = hits[0];
      appendMarked(p, rest.slice(0, at), titles, turn);
      const span = h("span", { class: "unsupported", title: "No article passage supports this sentence" });
      appendMarked(span, sentence, titles, turn);
      p.append(span);
      rest = rest.slice(at + sentence.length);
    }
    return p;
  }

  function appendMarked(parent, text, titles, turn) {
    let last = 0;
    for (const match of text.matchAll(MARKERS)) {
      parent.append(text.slice(last, match.index));
      for (const n of match[1].split(/[,;]/).map((s) => Number(s.trim()))) {
        if (!titles.has(n)) continue;
        parent.append(h("sup", {}, h("a", {
          class: "cite", href: `#src-${turn}-${n}`, "aria-label": `Source ${n}: ${titles.get(n)}`,
        }, String(n))));
      }
      last = match.index + match[0].length;
    }
    parent.append(text.slice(last));
  }

  function sourceItem(source, id, number) {
    const url = safeUrl(source.url);
    const title = source.title || "Untitled article";
    const link = url
      ? h("a", { class: "title", href: url, target: "_blank", rel: "noopener" }, title,
          h("span", { class: "sr-only" }, " (opens in a new tab)"))
      : h("span", { class: "title" }, title);
    const published = source.published ? h("time", { datetime: source.published }, formatDate(source.published)) : null;
    const named = source.source || siteOf(source.url);
    const meta = h("div", { class: "meta" }, named, named && published ? " · " : "", published);
    const quote = source.quote
      ? h("details", {}, h("summary", {}, "Quoted passage"), h("blockquote", {}, source.quote))
      : null;
    return h("li", { class: "source", id, tabindex: id ? "-1" : null },
      number === undefined ? null : h("span", { class: "num" }, String(number)),
      h("div", { class: "body" }, link, meta, quote));
  }

  function storageGet(key) {
    try {
      const turns = JSON.parse(sessionStorage.getItem(key) || "[]");
      return Array.isArray(turns) ? turns : [];
    } catch {
      return [];
    }
  }

  function storageSet(key, turns) {
    try {
      if (turns.length) sessionStorage.setItem(key, JSON.stringify(turns));
      else sessionStorage.removeItem(key);
    } catch {
      /* storage full or blocked (private mode, sandboxed frame): the chat still works */
    }
  }

  /** Text for the accent colour: dark on light themes, white on dark ones (hex colours only). */
  function onAccent(color) {
    const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
    if (!hex) return "#fff";
    const digits = hex[1].length === 3 ? [...hex[1]].map((d) => d + d).join("") : hex[1];
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(digits.slice(i, i + 2), 16) / 255)
      .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.4 ? "#111" : "#fff";
  }

  class NewsqaChat extends HTMLElement {
    static get observedAttributes() {
      return ["heading", "placeholder", "theme-color", "position"];
    }

    #ui;
    #turns = [];
    #restoredFrom = null;
    #inFlight = null;
    #counter = 0;

    constructor() {
      super();
      this.attachShadow({ mode: "open" });
      this.#ui = this.#build();
      this.shadowRoot.append(h("style", {}, STYLE), this.#ui.root);
    }

    connectedCallback() {
      this.#applyAttributes();
      this.#restore();
    }

    disconnectedCallback() {
      this.#inFlight?.abort();
    }

    attributeChangedCallback() {
      this.#applyAttributes();
    }

    /** Fills the input with ``question`` and sends it, as if the reader had typed it. */
    ask(question) {
      this.open();
      this.#ui.input.value = question;
      this.#submit();
    }

    open() {
      this.#ui.panel.hidden = false;
      this.#ui.launcher.setAttribute("aria-expanded", "true");
      this.#ui.input.focus();
      this.#scrollToEnd();
    }

    close() {
      if (this.#mode() === "inline") return;
      this.#ui.panel.hidden = true;
      this.#ui.launcher.setAttribute("aria-expanded", "false");
      this.#ui.launcher.focus();
    }

    /** Forgets the conversation (and stops an answer being written). */
    clear() {
      this.#inFlight?.abort();
      this.#turns = [];
      storageSet(this.#storageKey(), this.#turns);
      this.#ui.log.replaceChildren(this.#ui.empty);
      this.#ui.input.focus();
    }

    get askUrl() {
      const configured = this.getAttribute("endpoint") || (SCRIPT?.src ? new URL(".", SCRIPT.src).href : location.href);
      const base = new URL(configured, document.baseURI);
      if (!base.pathname.endsWith("/")) base.pathname += "/";
      return new URL("v1/ask", base).href;
    }

    #mode() {
      const position = this.getAttribute("position");
      return position === "inline" || position === "bottom-left" ? position : "bottom-right";
    }

    #storageKey() {
      return `${TAG}:${this.askUrl}`;
    }

    #build() {
      const input = h("textarea", {
        id: "question", rows: "1", autocomplete: "off", "aria-describedby": "hint", enterkeyhint: "send",
      });
      const send = h("button", { type: "submit", class: "send", "aria-label": "Send question" }, icon("send"));
      const empty = h("p", { class: "empty" },
        "Ask a question about the news. Every answer links to the articles it comes from.");
      const log = h("div", { class: "log", role: "region", "aria-label": "Conversation", tabindex: "0" }, empty);
      const heading = h("h2", { id: "heading" });
      const reset = h("button", { type: "button", class: "reset", "aria-label": "Start a new conversation" }, "New");
      const closer = h("button", { type: "button", class: "close", "aria-label": "Close chat" }, icon("close"));
      const live = h("div", { class: "sr-only", "aria-live": "polite", "aria-atomic": "true" });
      const form = h("form", { "aria-label": "Ask a question" },
        h("label", { for: "question", class: "sr-only" }, "Your question"), input, send);
      const panel = h("section", { class: "panel", id: "panel", "aria-labelledby": "heading" },
        h("header", {}, heading, reset, closer), log, live, form,
        h("p", { class: "hint", id: "hint" }, "Enter sends · Shift+Enter adds a line"));
      const launcher = h("button", {
        type: "button", class: "launcher", "aria-controls": "panel", "aria-expanded": "false",
      }, icon("chat"), h("span", { class: "label" }));
      const root = h("div", { class: "nq" }, launcher, panel);

      form.addEventListener("submit", (event) => {
        event.preventDefault();
        if (this.#inFlight) this.#inFlight.abort();
        else this.#submit();
      });
      input.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          if (!this.#inFlight) this.#submit();
        }
      });
      input.addEventListener("input", () => this.#fitInput());
      launcher.addEventListener("click", () => (panel.hidden ? this.open() : this.close()));
      closer.addEventListener("click", () => this.close());
      reset.addEventListener("click", () => this.clear());
      panel.addEventListener("keydown", (event) => {
        if (event.key === "Escape") this.close();
      });
      log.addEventListener("click", (event) => {
        const cite = event.target.closest?.("a.cite");
        if (!cite) return;
        event.preventDefault();
        this.#showSource(cite.getAttribute("href").slice(1));
      });
      return { root, panel, launcher, heading, log, empty, live, input, send };
    }

    #applyAttributes() {
      const ui = this.#ui;
      const heading = this.getAttribute("heading") || DEFAULTS.heading;
      ui.heading.textContent = heading;
      ui.launcher.querySelector(".label").textContent = heading;
      ui.input.placeholder = this.getAttribute("placeholder") || DEFAULTS.placeholder;
      const color = this.getAttribute("theme-color") || DEFAULTS.color;
      if (CSS.supports("color", color)) {
        this.style.setProperty("--accent", color);
        this.style.setProperty("--on-accent", onAccent(color));
      }
      const mode = this.#mode();
      ui.root.className = `nq ${mode === "inline" ? "inline" : `float ${mode === "bottom-left" ? "left" : "right"}`}`;
      const floating = mode !== "inline";
      ui.panel.setAttribute("role", floating ? "dialog" : "region");
      if (floating && ui.launcher.getAttribute("aria-expanded") !== "true") ui.panel.hidden = true;
      if (!floating) ui.panel.hidden = false;
    }

    #restore() {
      const key = this.#storageKey();
      if (this.#restoredFrom === key) return;
      this.#restoredFrom = key;
      this.#turns = storageGet(key);
      if (!this.#turns.length) return;
      this.#ui.log.replaceChildren();
      for (const turn of this.#turns) {
        this.#ui.log.append(h("div", { class: "msg user" }, turn.question));
        const view = this.#answerView();
        this.#render(view, turn.reply);
      }
    }

    #fitInput() {
      const input = this.#ui.input;
      input.style.height = "auto";
      input.style.height = `${input.scrollHeight + 2}px`;
    }

    #history() {
      return this.#turns.flatMap((turn) => [
        { role: "user", content: String(turn.question).slice(0, MESSAGE_CHARS) },
        { role: "assistant", content: plainText(turn.reply.answer).slice(0, MESSAGE_CHARS) },
      ]).slice(-HISTORY_MESSAGES);
    }

    #submit() {
      const question = this.#ui.input.value.trim();
      if (!question || this.#inFlight) return;
      this.#ui.input.value = "";
      this.#fitInput();
      this.#ui.input.focus();
      this.#ui.empty.remove();
      this.#ui.log.append(h("div", { class: "msg user" }, question));
      this.#send(question);
    }

    async #send(question) {
      const view = this.#answerView(true);
      const controller = new AbortController();
      this.#setBusy(controller);
      try {
        const reply = await this.#fetchAnswer(question, view, controller.signal);
        this.#render(view, reply);
        this.#turns.push({ question, reply });
        storageSet(this.#storageKey(), this.#turns);
        this.#announce(reply.refused ? `No answer found. ${plainText(reply.answer)}`
          : `Answer: ${plainText(reply.answer)} ${reply.citations.length} source${reply.citations.length === 1 ? "" : "s"}.`);
      } catch (error) {
        if (controller.signal.aborted) {
          this.#renderStopped(view);
        } else {
          const problem = error instanceof Problem ? error
            : new Problem("Could not reach the news service. Check the connection and try again.");
          this.#renderError(view, problem, question);
          this.#announce(problem.message);
        }
      } finally {
        this.#setBusy(null);
      }
    }

    async #fetchAnswer(question, view, signal) {
      const headers = { "Content-Type": "application/json", Accept: "text/event-stream" };
      const key = this.getAttribute("key");
      if (key) headers.Authorization = `Bearer ${key}`;
      const body = { question, history: this.#history(), stream: true };
      const collection = this.getAttribute("collection");
      if (collection) body.collection = collection;
      const response = await fetch(this.askUrl, {
        method: "POST", headers, signal, credentials: "omit", body: JSON.stringify(body),
      });
      if (!response.ok) throw await httpProblem(response);
      if (!response.body) throw new Problem("The news service sent an empty answer. Please try again.");
      for await (const event of readEvents(response.body)) {
        if (event.type === "passages") view.status.firstChild.data = "Writing the answer";
        else if (event.type === "token" && typeof event.data.text === "string") {
          view.stream.appendData(event.data.text);
          this.#scrollToEnd(true);
        } else if (event.type === "citations") return event.data;
        else if (event.type === "error") {
          const detail = typeof event.data.detail === "string" ? `: ${event.data.detail}` : "";
          throw new Problem(`The answer was interrupted${detail}. Please try again.`);
        }
      }
      throw new Problem("The answer was cut off before it was checked. Please try again.");
    }

    #answerView(pending = false) {
      const stream = document.createTextNode("");
      const status = h("p", { class: "status" }, "Searching the articles",
        h("span", { class: "dots", "aria-hidden": "true" }, h("span"), h("span"), h("span")));
      const el = h("div", { class: `msg answer${pending ? " pending" : ""}`, "aria-busy": pending ? "true" : null },
        h("p", { class: "text" }, stream), status);
      this.#ui.log.append(el);
      this.#scrollToEnd();
      return { el, stream, status, turn: ++this.#counter };
    }

    #render(view, reply) {
      const { el, turn } = view;
      const citations = Array.isArray(reply.citations) ? reply.citations : [];
      el.classList.remove("pending");
      el.removeAttribute("aria-busy");
      if (reply.refused) {
        el.classList.add("refused");
        const closest = Array.isArray(reply.closest_sources) ? reply.closest_sources : [];
        el.replaceChildren(h("span", { class: "badge" }, "No answer in the articles"),
          h("p", { class: "text" }, String(reply.refusal?.message || reply.answer || "")),
          closest.length ? h("h3", {}, "Closest articles") : null,
          closest.length ? h("ol", { class: "sources closest" }, ...closest.map((s) => sourceItem(s, null))) : null);
      } else {
        const unsupported = Array.isArray(reply.unsupported_sentences) ? reply.unsupported_sentences : [];
        el.replaceChildren(markedText(String(reply.answer || ""), citations, turn, unsupported),
          citations.length ? h("h3", {}, "Sources") : null,
          citations.length ? h("ol", { class: "sources" },
            ...citations.map((c) => sourceItem(c, `src-${turn}-${c.n}`, c.n))) : null);
      }
      this.#reveal(el);
    }

    #renderError(view, problem, question) {
      const { el } = view;
      el.className = "msg error";
      el.removeAttribute("aria-busy");
      el.setAttribute("role", "alert");
      const retry = problem.retry ? h("button", { type: "button" }, "Try again") : null;
      retry?.addEventListener("click", () => {
        if (this.#inFlight) return;
        el.remove();
        this.#send(question);
      });
      el.replaceChildren(h("p", {}, problem.message), retry);
      this.#scrollToEnd(true);
    }

    #renderStopped(view) {
      view.el.classList.remove("pending");
      view.el.removeAttribute("aria-busy");
      view.status.replaceChildren("Stopped.");
    }

    #setBusy(controller) {
      this.#inFlight = controller;
      const send = this.#ui.send;
      send.replaceChildren(icon(controller ? "stop" : "send"));
      send.setAttribute("aria-label", controller ? "Stop the answer" : "Send question");
      send.classList.toggle("busy", Boolean(controller));
    }

    #showSource(id) {
      const item = this.shadowRoot.getElementById(id);
      if (!item) return;
      const details = item.querySelector("details");
      if (details) details.open = true;
      item.classList.add("highlight");
      setTimeout(() => item.classList.remove("highlight"), 1500);
      item.scrollIntoView({ block: "nearest", behavior: this.#motion() });
      item.focus({ preventScroll: true });
    }

    #announce(text) {
      const live = this.#ui.live;
      live.textContent = "";
      setTimeout(() => { live.textContent = text; }, 50);
    }

    /** Scrolls a finished reply into view from its question down, so a long answer is read from its start. */
    #reveal(reply) {
      const log = this.#ui.log;
      const start = reply.previousElementSibling?.classList.contains("user") ? reply.previousElementSibling : reply;
      log.scrollTo({ top: Math.min(start.offsetTop - 12, log.scrollHeight - log.clientHeight), behavior: this.#motion() });
    }

    #scrollToEnd(onlyIfNear = false) {
      const log = this.#ui.log;
      if (onlyIfNear && log.scrollHeight - log.scrollTop - log.clientHeight > 160) return;
      log.scrollTo({ top: log.scrollHeight, behavior: this.#motion() });
    }

    #motion() {
      return matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth";
    }
  }

  if (!customElements.get(TAG)) customElements.define(TAG, NewsqaChat);

  /** The one-tag embed: the script tag's data-* attributes configure a widget it creates. */
  function embedFromScript(script) {
    const widget = document.createElement(TAG);
    for (const [data, name] of Object.entries(SCRIPT_ATTRIBUTES)) {
      const value = script.getAttribute(data);
      if (value === null) continue;
      widget.setAttribute(name, name === "endpoint" ? new URL(value || ".", script.src).href : value);
    }
    const place = () => {
      if (widget.getAttribute("position") === "inline" && script.parentNode && script.closest("body")) script.after(widget);
      else document.body.append(widget);
    };
    if (document.body) place();
    else document.addEventListener("DOMContentLoaded", place, { once: true });
  }

  if (SCRIPT && SCRIPT.hasAttribute("data-endpoint")) embedFromScript(SCRIPT);
})();
