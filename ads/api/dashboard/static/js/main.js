// The dashboard's router: the location hash names the view; every view reads the API anew.

import { Unauthorized } from "./api.js";
import { h, show } from "./dom.js";
import { clearViewer } from "./viewer.js";
import * as session from "./session.js";
import { advertiserView } from "./views/advertiser.js";
import { advertisersView } from "./views/advertisers.js";
import { campaignView } from "./views/campaign.js";
import { signInView } from "./views/signin.js";

const app = document.getElementById("app");
const signOutButton = document.getElementById("sign-out");

const ROUTES = [
  [/^\/advertisers\/([^/]+)(?:\/(campaigns|invoices|exports))?$/, (m, q) => advertiserView(m[1], m[2] || "campaigns", q)],
  [/^\/campaigns\/([^/]+)$/, (m, q) => campaignView(m[1], q)],
  [/^\/?$/, () => advertisersView()],
];

function location() {
  const [path, query] = window.location.hash.replace(/^#/, "").split("?");
  return { path: path || "/", query: new URLSearchParams(query || "") };
}

export function signOut(message) {
  session.signOut();
  clearViewer();
  render(message);
}

// Views load asynchronously: a page whose answers arrive after the user has moved on
// must not replace the page they moved to. Only the latest render may show.
let latest = 0;

async function render(message) {
  const turn = ++latest;
  signOutButton.hidden = !session.token();
  document.getElementById("who").textContent = "";
  if (!session.token()) {
    show(app, signInView(message, () => render()));
    return;
  }
  const { path, query } = location();
  const route = ROUTES.find(([pattern]) => pattern.test(path));
  if (!route) {
    show(app, h("p", { class: "error" }, "No such page. "), h("a", { href: "#/" }, "Back to the advertisers"));
    return;
  }
  const [pattern, view] = route;
  try {
    const page = await view(pattern.exec(path), query);
    if (turn === latest) show(app, page);
  } catch (error) {
    if (turn !== latest) return;
    if (error instanceof Unauthorized) {
      signOut("That token was not accepted: sign in with a valid token.");
      return;
    }
    show(
      app,
      h("div", { class: "error", role: "alert" }, h("strong", {}, "Could not load this page: "), error.message),
      h("button", { type: "button", onclick: () => render() }, "Retry"),
    );
  }
}

signOutButton.addEventListener("click", () => signOut());
window.addEventListener("hashchange", () => render());
window.addEventListener("ads:refresh", () => render());
render();
