// Live countdowns: any element with data-deadline="<ISO time>" shows the time left, or overdue.
(function () {
  function describe(ms) {
    const abs = Math.abs(ms);
    const d = Math.floor(abs / 86400000), h = Math.floor((abs % 86400000) / 3600000),
      m = Math.floor((abs % 3600000) / 60000), s = Math.floor((abs % 60000) / 1000);
    const parts = d ? [d + "d", h + "h", m + "m"] : h ? [h + "h", m + "m"] : [m + "m", s + "s"];
    return parts.join(" ");
  }
  function tick() {
    const now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      const due = Date.parse(el.dataset.deadline);
      if (isNaN(due)) return;
      const left = due - now;
      // Each element may name its own word for "late" (USPS's targets are "past target").
      const late = el.dataset.overdueText || "overdue";
      el.textContent = left >= 0 ? describe(left) + " left" : describe(left) + " " + late;
      el.classList.toggle("overdue", left < 0);
    });
  }
  tick();
  setInterval(tick, 1000);
})();

// A form that failed comes back with a summary of its errors at its top: take the reader
// (and a screen reader's focus) there, unless the address already names a place.
(function () {
  const summary = document.querySelector(".error-summary");
  if (!summary) return;
  summary.focus({ preventScroll: Boolean(window.location.hash) });
  if (!window.location.hash) summary.scrollIntoView({ block: "start" });
})();
