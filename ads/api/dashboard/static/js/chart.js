// The pacing chart, drawn as SVG: cumulative spend against the target curve over the
// advertiser's local day, on a time axis of real hours (a 23- or 25-hour day is drawn
// as long as it is), with the budget, the hard cap, the projection and the moment of
// the reading. Every point the API returned is a circle carrying its values, so what is
// drawn can be checked against what was answered.

import { s } from "./dom.js";
import { microsToNumber } from "./money.js";

const WIDTH = 720;
const HEIGHT = 300;
const MARGIN = { left: 64, right: 20, top: 26, bottom: 40 };
const HOUR = 3600 * 1000;

function clock(tz) {
  return new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: tz });
}

function scales(start, end, top) {
  const width = WIDTH - MARGIN.left - MARGIN.right;
  const height = HEIGHT - MARGIN.top - MARGIN.bottom;
  return {
    x: (t) => MARGIN.left + ((t - start) / (end - start)) * width,
    y: (value) => MARGIN.top + height - (value / top) * height,
  };
}

function niceTop(value) {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((m) => m * magnitude >= value / 4) * magnitude;
  return Math.ceil(value / step) * step;
}

function path(points, x, y, pick) {
  return points
    .filter((p) => pick(p) !== null)
    .map((p, i) => `${i ? "L" : "M"}${x(p.time).toFixed(2)},${y(pick(p)).toFixed(2)}`)
    .join(" ");
}

function timeAxis(start, end, x, tz, height) {
  const format = clock(tz);
  const ticks = [];
  for (let t = start; t <= end; t += HOUR) {
    const hoursIn = Math.round((t - start) / HOUR);
    const major = hoursIn % 3 === 0;
    ticks.push(
      s("line", { class: major ? "tick major" : "tick", x1: x(t), x2: x(t), y1: MARGIN.top, y2: height }),
      major ? s("text", { class: "axis-label", x: x(t), y: height + 16, "text-anchor": "middle" }, format.format(t)) : null,
    );
  }
  return s("g", { class: "x-axis" }, ticks);
}

function valueAxis(top, y, currency) {
  const items = [];
  for (let i = 0; i <= 4; i += 1) {
    const value = (top * i) / 4;
    items.push(
      s("line", { class: "grid", x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(value), y2: y(value) }),
      s("text", { class: "axis-label", x: MARGIN.left - 6, y: y(value) + 4, "text-anchor": "end" }, value.toLocaleString("en-US", { maximumFractionDigits: 2 })),
    );
  }
  items.push(s("text", { class: "axis-title", x: MARGIN.left - 6, y: MARGIN.top - 12, "text-anchor": "end" }, currency));
  return s("g", { class: "y-axis" }, items);
}

// A horizontal level; its label above the line at the right end, or below it at the left.
function level(label, cls, value, x0, x1, y, below = false) {
  return s(
    "g",
    { class: `level ${cls}` },
    s("line", { x1: x0, x2: x1, y1: y(value), y2: y(value) }),
    s("text", below ? { x: x0 + 4, y: y(value) + 13 } : { x: x1 - 4, y: y(value) - 5, "text-anchor": "end" }, label),
  );
}

function dots(points, x, y, key, cls) {
  return s(
    "g",
    { class: `dots ${cls}` },
    points
      .filter((p) => p[key] !== null)
      .map((p) =>
        s(
          "circle",
          { class: `point ${cls}`, cx: x(p.time), cy: y(p[key]), r: cls === "actual" ? 2.5 : 1.6, "data-at": p.at, "data-micros": p.micros[key] },
          s("title", {}, `${clock(p.tz).format(p.time)} ${cls}: ${p[key].toLocaleString("en-US", { maximumFractionDigits: 2 })}`),
        ),
      ),
  );
}

// `curve` is a PacingCurve as the API answers it; `tz` the advertiser's timezone.
export function pacingChart(curve, tz) {
  const start = Date.parse(curve.start);
  const end = Date.parse(curve.end);
  const asOf = Date.parse(curve.asOf);
  const amount = (money) => (money ? microsToNumber(money.amountMicros) : null);
  const points = curve.points.map((p) => ({
    at: p.at,
    tz,
    time: Date.parse(p.at),
    target: amount(p.target),
    actual: amount(p.actual),
    projected: amount(p.projected),
    micros: {
      target: p.target.amountMicros,
      actual: p.actual ? p.actual.amountMicros : null,
      projected: p.projected ? p.projected.amountMicros : null,
    },
  }));
  const cap = amount(curve.hardCap);
  const budget = amount(curve.budget);
  const highest = Math.max(cap, ...points.map((p) => Math.max(p.target, p.actual ?? 0, p.projected ?? 0)));
  const top = niceTop(highest * 1.05);
  const { x, y } = scales(start, end, top);
  const bottom = HEIGHT - MARGIN.bottom;
  const live = asOf < end;
  return s(
    "svg",
    {
      class: "chart pacing-chart",
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: "img",
      "aria-label": `Cumulative spend against the target curve over ${curve.day} (${curve.hours} hours)`,
      "data-hours": curve.hours,
      "data-as-of": curve.asOf,
    },
    valueAxis(top, y, curve.budget.currency),
    timeAxis(start, end, x, tz, bottom),
    level("hard cap", "cap", cap, MARGIN.left, WIDTH - MARGIN.right, y),
    level("budget", "budget", budget, MARGIN.left, WIDTH - MARGIN.right, y, true),
    live ? s("line", { class: "now", x1: x(asOf), x2: x(asOf), y1: MARGIN.top, y2: bottom }) : null,
    s("path", { class: "line target", d: path(points, x, y, (p) => p.target) }),
    s("path", { class: "line projected", d: path(points, x, y, (p) => p.projected) }),
    s("path", { class: "line actual", d: path(points, x, y, (p) => p.actual) }),
    dots(points, x, y, "target", "target"),
    dots(points, x, y, "actual", "actual"),
  );
}

// Spend per hour of the same day, as bars on the same time axis.
export function hourlyChart(curve, tz) {
  const start = Date.parse(curve.start);
  const end = Date.parse(curve.end);
  const hours = curve.hourly.map((h) => ({ ...h, from: Date.parse(h.start), to: Date.parse(h.end), value: microsToNumber(h.spend.amountMicros) }));
  const top = niceTop(Math.max(...hours.map((h) => h.value), 0) * 1.1);
  const { x, y } = scales(start, end, top);
  const bottom = HEIGHT - MARGIN.bottom;
  const format = clock(tz);
  return s(
    "svg",
    { class: "chart hourly-chart", viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": `Spend per hour over ${curve.day}` },
    valueAxis(top, y, curve.budget.currency),
    timeAxis(start, end, x, tz, bottom),
    s(
      "g",
      { class: "bars" },
      hours.map((h) =>
        s(
          "rect",
          { class: "bar", x: x(h.from) + 1, width: Math.max(1, x(h.to) - x(h.from) - 2), y: y(h.value), height: bottom - y(h.value), "data-start": h.start, "data-micros": h.spend.amountMicros },
          s("title", {}, `${format.format(h.from)}–${format.format(h.to)}: ${h.spend.amount} (${h.impressions} impressions, ${h.clicks} clicks)`),
        ),
      ),
    ),
  );
}
