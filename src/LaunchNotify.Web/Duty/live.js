// The duty page's live view: replaces the panels when the server sends a new board (server-sent events from
// /dashboard/duty/events, in the page's own language: its ?lang=&tz= go along) and counts every deadline down each
// second. No library; the words come from the page (glossary texts with {0} where the figure goes).
(() => {
  "use strict";
  const status = document.getElementById("live-status");
  const fill = (template, value) => template.replace("{0}", value);

  function format(ms, panels) {
    let s = Math.floor(Math.abs(ms) / 1000);
    const days = Math.floor(s / 86400);
    s %= 86400;
    const two = n => String(n).padStart(2, "0");
    const clock = two(Math.floor(s / 3600)) + ":" + two(Math.floor((s % 3600) / 60)) + ":" + two(s % 60);
    const text = days > 0 ? fill(panels.dataset.labelDays, days) + " " + clock : clock;
    return fill(ms < 0 ? panels.dataset.labelOverdue : panels.dataset.labelLeft, text);
  }

  function tick() {
    const panels = document.getElementById("duty-panels");
    if (!panels) return;
    const now = Date.now();
    for (const cell of panels.querySelectorAll("[data-deadline]")) {
      const ms = Date.parse(cell.dataset.deadline) - now;
      cell.textContent = format(ms, panels);
      cell.classList.toggle("late", ms < 0);
    }
  }

  const source = new EventSource("/dashboard/duty/events" + window.location.search);
  source.addEventListener("board", event => {
    const panels = document.getElementById("duty-panels");
    const next = document.createRange().createContextualFragment(event.data);
    panels.replaceWith(next);
    status.textContent = fill(status.dataset.labelLive, new Date().toISOString().replace(/\.\d+Z$/, "Z"));
    tick();
  });
  source.addEventListener("error", () => { status.textContent = status.dataset.labelLost; });
  tick();
  setInterval(tick, 1000);
})();
