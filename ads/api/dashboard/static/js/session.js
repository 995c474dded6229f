// The API token, kept for this browser session only (sessionStorage: gone with the tab).

const KEY = "ads.token";

export function token() {
  return sessionStorage.getItem(KEY);
}

export function signIn(value) {
  sessionStorage.setItem(KEY, value.trim());
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}
