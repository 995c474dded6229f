// Who the signed-in token is (its role), read once per sign-in.

import { run } from "./api.js";

let viewer = null;

export async function currentViewer() {
  if (viewer === null) {
    const { data } = await run("Advertisers", { first: 1 });
    viewer = { role: data.viewer.role, seesAll: data.viewer.seesAllAdvertisers };
  }
  document.getElementById("who").textContent = viewer.role;
  return viewer;
}

export function clearViewer() {
  viewer = null;
}

export function seesFinance(who) {
  return who.role === "FINANCE" || who.role === "ADMIN";
}
