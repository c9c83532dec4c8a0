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
      // Late once the due time's last second has passed, as the server holds it
      // (compliance.deadlines.is_late): the time to the whole second is past the due time.
      const past = Math.floor(now / 1000) * 1000 > due;
      // Each element may name its own word for "late" (USPS's targets are "past target").
      const late = el.dataset.overdueText || "overdue";
      el.textContent = past ? describe(left) + " " + late : describe(Math.max(left, 0)) + " left";
      el.classList.toggle("overdue", past);
    });
  }
  tick();
  setInterval(tick, 1000);
})();

// A form that failed comes back with a summary of its errors at its top: take the reader
// (and a screen reader's focus) there, unless the address already names a place. Once the
// page has loaded: the browser's move to the address's place (a form posting to
// "#decide") would otherwise take the focus away again.
(function () {
  const summary = document.querySelector(".error-summary");
  if (!summary) return;
  function take() {
    summary.focus({ preventScroll: Boolean(window.location.hash) });
    if (!window.location.hash) summary.scrollIntoView({ block: "start" });
  }
  take();
  window.addEventListener("load", function () { window.requestAnimationFrame(take); });
})();
