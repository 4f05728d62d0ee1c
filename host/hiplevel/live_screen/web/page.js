// The live screen in a browser: draws what the host sends (hiplevel.live_screen.page_state).
// Every word comes from the host; this script only places the gauge's marker at the roll it is
// given, tilts the pelvis drawing and keeps a cue on screen long enough to be read.
"use strict";
(() => {
  const CUE_HOLD_MS = 2500;  // a cue stays up at least this long: the patient looks up after the beep
  const PELVIS_GAIN = 2;     // the pelvis drawing tilts twice the measured roll, so a drop shows from afar
  const PELVIS_MAX_DEG = 20;  // so the drawing stays inside its box
  const CENTRE_X = 500, HALF_X = 440, MARKER_Y = 270, PELVIS_Y = 140;  // the SVG's units
  const TONES = ["tone-good", "tone-warn", "tone-alert", "tone-plain"];
  const LINK_ICONS = {connected: "\u25CF", reconnecting: "\u21BB", "no data": "\u2715", connecting: "\u2026", ended: "\u25A0"};
  const $ = (id) => document.getElementById(id);
  let cueShown = 0, cueUntil = 0, cueTimer = null, ended = false, repsDrawn = -1, threshold = null;

  function text(id, words) {
    const el = $(id);
    if (el.textContent !== words) el.textContent = words;
  }

  function tone(el, name) {
    const cls = "tone-" + name;
    if (el.classList.contains(cls)) return;
    el.classList.remove(...TONES);
    el.classList.add(cls);
  }

  function show(el, visible) {
    if (el.hidden === visible) el.hidden = !visible;
  }

  function clamp(x, lo, hi) {
    return Math.max(lo, Math.min(hi, x));
  }

  function link(l) {
    text("link-words", l.words);
    text("link-icon", LINK_ICONS[l.state] || "\u2026");
    tone($("link"), l.tone);
    $("link").dataset.state = l.state;
  }

  function scale(g) {
    if (threshold === g.threshold_deg) return;
    threshold = g.threshold_deg;
    const dx = clamp(threshold / g.range_deg, 0, 1) * HALF_X;
    for (const [side, sign] of [["left", -1], ["right", 1]]) {
      const x = (CENTRE_X + sign * dx).toFixed(1);
      $("tick-" + side).setAttribute("x1", x);
      $("tick-" + side).setAttribute("x2", x);
      $("tick-" + side + "-label").setAttribute("x", x);
      $("tick-" + side + "-label").textContent = threshold.toFixed(0) + "\u00B0";
      const zone = $("zone-" + side);
      zone.setAttribute("x", sign < 0 ? CENTRE_X - HALF_X : x);
      zone.setAttribute("width", (HALF_X - dx).toFixed(1));
    }
  }

  function gauge(g) {
    scale(g);
    const roll = g.tared ? g.roll_deg : 0;
    const x = CENTRE_X + clamp(roll / g.range_deg, -1, 1) * HALF_X;
    const marker = $("marker");
    marker.setAttribute("transform", `translate(${x.toFixed(1)} ${MARKER_Y})`);
    tone(marker, g.tone);
    const low = g.tone === "warn" || g.tone === "alert";  // shape as well as colour: a triangle points down
    $("marker-level").setAttribute("visibility", low ? "hidden" : "visible");
    $("marker-low").setAttribute("visibility", low ? "visible" : "hidden");
    const tilt = clamp(roll * PELVIS_GAIN, -PELVIS_MAX_DEG, PELVIS_MAX_DEG);
    $("pelvis").setAttribute("transform", `rotate(${tilt.toFixed(1)} ${CENTRE_X} ${PELVIS_Y})`);
    text("level-words", g.words || "\u00A0");
    tone($("level-words"), g.tone);
  }

  function cue(c, instruction) {
    const now = performance.now();
    if (c.last && c.last.number > cueShown) {
      cueShown = c.last.number;
      cueUntil = now + CUE_HOLD_MS;
      text("cue-words", c.last.words);
      $("cue").dataset.number = String(cueShown);
      clearTimeout(cueTimer);
      cueTimer = setTimeout(() => showCue(false), CUE_HOLD_MS);
    }
    text("cue-say", c.say);
    text("instruction", instruction);
    showCue(c.active);
  }

  function showCue(active) {
    const up = !ended && cueShown > 0 && (active || performance.now() < cueUntil);
    show($("cue"), up);
    show($("instruction"), !up);
  }

  function reps(r) {
    text("rep-noun", r.noun);
    text("rep-count", String(r.count));
    show($("reps-note"), !r.counted);
    if (!r.counted) text("reps-note", "Not counted live" + (r.note ? ` (${r.note})` : ""));
    if (r.count === repsDrawn) return;
    repsDrawn = r.count;
    const last = r.recent[0];
    const box = $("last-rep");
    text("last-rep-label", last ? last.label : "");
    text("last-rep-score", last ? last.score : "");
    text("last-rep-words", last ? last.words : "");
    text("last-rep-icon", last ? (last.tone === "good" ? "\u2713" : "\u26A0") : "");
    tone(box, last ? last.tone : "plain");
    box.dataset.number = last ? String(last.number) : "";
    const list = $("recent");
    list.replaceChildren(...r.recent.slice(1).map((rep) => {
      const li = document.createElement("li");
      li.className = "tone-" + rep.tone;
      li.dataset.number = String(rep.number);
      li.textContent = `${rep.label} ${rep.tone === "good" ? "\u2713" : "\u26A0"} ${rep.score}`;
      return li;
    }));
  }

  function render(s) {
    link(s.link);
    if (s.kind !== "live") return;
    text("exercise", s.exercise);
    text("clock", s.clock);
    text("battery", s.battery);
    gauge(s.gauge);
    cue(s.cue, s.instruction);
    reps(s.reps);
    s.legs.forEach((leg, i) => {
      const side = i === 0 ? "left" : "right";
      text(`leg-${side}-head`, leg.head + ":");
      text(`leg-${side}`, leg.words);
    });
    text("cue-how", s.cue.how);
  }

  function finish(e) {
    ended = true;
    clearTimeout(cueTimer);
    showCue(false);
    text("finding", e.finding || "No finding: no rep was counted.");
    text("summary", e.summary);
    show($("end"), true);
    document.body.classList.add("ended");
  }

  const events = new EventSource("/events");
  events.addEventListener("state", (ev) => render(JSON.parse(ev.data)));
  events.addEventListener("end", (ev) => {
    const s = JSON.parse(ev.data);
    render(s);
    events.close();
    finish(s.end);
    link({words: "Session over", tone: "plain", state: "ended"});
  });
  events.onerror = () => {
    if (ended) return;
    link({words: "Lost contact with the computer: trying again...", tone: "warn", state: "reconnecting"});
  };
})();
