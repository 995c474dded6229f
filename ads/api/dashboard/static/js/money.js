// Money as the API gives it: exact decimal strings and integer micros (BigInt), never floats.

const MICROS = 6;

export function formatMoney(money) {
  if (!money) return "—";
  return `${groupDigits(money.amount)} ${money.currency || ""}`.trim();
}

// The amount rounded (half up) to the digits `like` shows, e.g. a budget's "1500.00":
// estimates such as a target curve's are exact to the micro, which reads as noise.
export function formatRounded(money, like) {
  if (!money) return "—";
  const digits = (String(like.amount).split(".")[1] || "").length;
  const step = 10n ** BigInt(MICROS - digits);
  const micros = BigInt(money.amountMicros);
  const rounded = ((micros + step / 2n) / step) * step;
  const whole = (rounded / 10n ** BigInt(MICROS)).toString();
  const fraction = (rounded % 10n ** BigInt(MICROS)).toString().padStart(MICROS, "0").slice(0, digits);
  return formatMoney({ amount: digits ? `${whole}.${fraction}` : whole, currency: money.currency || like.currency });
}

export function formatAmount(amount) {
  return amount === undefined || amount === null ? "—" : groupDigits(amount);
}

function groupDigits(amount) {
  const [whole, fraction] = String(amount).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

// "12.5" -> "12500000"; null for anything that is not a non-negative decimal with at most
// six decimals (the API's Micros are integers).
export function toMicros(text) {
  const match = /^\s*(\d+)(?:\.(\d{0,6}))?\s*$/.exec(String(text));
  if (!match) return null;
  const micros = BigInt(match[1]) * 10n ** BigInt(MICROS) + BigInt((match[2] || "").padEnd(MICROS, "0"));
  return micros.toString();
}

export function microsToNumber(micros) {
  return Number(BigInt(micros)) / 1e6;
}

export function percent(ratio) {
  return `${(ratio * 100).toFixed(ratio < 0.01 && ratio > 0 ? 3 : 1)}%`;
}
