// "Report a discovery": subtypes follow the category, risk-statement rows for cyber attacks,
// and the 24-hour due time shown while the discovery time is typed.
(function () {
  const form = document.querySelector("[data-incident-form]");
  if (!form) return;
  const category = form.querySelector("[name=category]");
  const subtype = form.querySelector("[name=subtype]");
  const risks = form.querySelector("[data-risk-statements]");

  function followCategory() {
    const chosen = category.value;
    if (subtype) {
      Array.from(subtype.options).forEach(function (option) {
        if (!option.value) return;
        const fits = !chosen || (option.dataset.categories || "").split(" ").includes(chosen);
        option.hidden = !fits;
        option.disabled = !fits;
        if (!fits && option.selected) subtype.value = "";
      });
    }
    if (risks) risks.hidden = chosen !== "cyber_attack";
  }
  if (category) {
    category.addEventListener("change", followCategory);
    followCategory();
  }

  const addRisk = form.querySelector("[data-add-risk]");
  if (addRisk) {
    addRisk.hidden = false;  // offered only where it works: with this script
    addRisk.addEventListener("click", function () {
      const total = form.querySelector("[name=risk-TOTAL_FORMS]");
      const template = form.querySelector("[data-risk-template]");
      const index = parseInt(total.value, 10);
      const html = template.innerHTML.replace(/__prefix__/g, String(index));
      form.querySelector("[data-risk-rows]").insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
    });
  }

  // Offset (ms) of `zone` at the instant `utcMs`.
  function offsetAt(utcMs, zone) {
    const parts = {};
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    }).formatToParts(new Date(utcMs)).forEach(function (p) { parts[p.type] = p.value; });
    const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour,
      +parts.minute, +parts.second);
    return asUtc - Math.floor(utcMs / 1000) * 1000;
  }

  // The instant a wall-clock time names in a zone; when it happened twice, the earlier one
  // unless `later` (the form's "If that time happened twice" says the second).
  function wallToUtc(local, zone, later) {
    const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})/.exec(local);
    if (!m) return null;
    const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
    const candidates = [offsetAt(wall - 86400000, zone), offsetAt(wall + 86400000, zone)]
      .map(function (off) { return wall - off; })
      .filter(function (utc) { return utc + offsetAt(utc, zone) === wall; })
      .sort(function (a, b) { return a - b; });
    return candidates.length ? candidates[later ? candidates.length - 1 : 0] : null;
  }

  const local = form.querySelector("[name=discovered_at]");
  const zoneField = form.querySelector("[name=discovery_timezone]");
  const preview = form.querySelector("[data-due-text]");
  const countdown = form.querySelector("[data-due-countdown]");
  const fold = form.querySelector("[name=discovered_at_fold]");
  function showDue() {
    if (!local || !zoneField || !preview) return;
    const zone = zoneField.value;
    let discovered = null;
    const later = fold !== null && fold.value === "later";
    try { discovered = local.value ? wallToUtc(local.value, zone, later) : null; } catch (e) { discovered = null; }
    if (discovered === null) {
      preview.textContent = local.value ? "— that local time does not exist in " + zone
        : "once you enter the discovery time";
      if (countdown) { delete countdown.dataset.deadline; countdown.textContent = ""; }
      return;
    }
    const due = new Date(discovered + 24 * 3600 * 1000);
    // dateStyle/timeStyle cannot be combined with timeZoneName: spell the parts out.
    const fmt = { year: "numeric", month: "short", day: "numeric", hour: "numeric",
      minute: "2-digit", timeZoneName: "short" };
    const inZone = new Intl.DateTimeFormat(undefined, Object.assign({ timeZone: zone }, fmt)).format(due);
    const inUtc = new Intl.DateTimeFormat(undefined, Object.assign({ timeZone: "UTC" }, fmt)).format(due);
    preview.textContent = inZone + " (" + inUtc + ")";
    if (countdown) countdown.dataset.deadline = due.toISOString();
  }
  [local, zoneField, fold].forEach(function (el) {
    if (el) { el.addEventListener("input", showDue); el.addEventListener("change", showDue); }
  });
  showDue();
})();
