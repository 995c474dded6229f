// Sign in with an API token; it is kept for this browser session only.

import { h } from "../dom.js";
import { signIn } from "../session.js";

export function signInView(message, done) {
  const input = h("input", { id: "token", name: "token", type: "password", autocomplete: "off", required: true, placeholder: "ads_…" });
  const form = h(
    "form",
    {
      class: "card sign-in",
      onsubmit: (event) => {
        event.preventDefault();
        signIn(input.value);
        done();
      },
    },
    h("h1", {}, "Sign in"),
    h("p", { class: "muted" }, "Paste an API token (", h("code", {}, "ads token create"), "). It stays in this browser tab only."),
    message ? h("p", { class: "error", role: "alert" }, message) : null,
    h("label", { for: "token" }, "Token"),
    input,
    h("button", { type: "submit", id: "sign-in" }, "Sign in"),
  );
  return form;
}
