// The /graphql explorer: GraphiQL (from the app's own files) sending the signed-in token.
// The token lives in this browser session only, shared with the dashboard (same key).
(function () {
  "use strict";
  const KEY = "ads.token";
  const DEFAULT_QUERY = [
    "# Every request carries the token you signed in with.",
    "query Viewer {",
    "  viewer {",
    "    role",
    "    advertisers(first: 5) {",
    "      nodes { id name currency timezone }",
    "    }",
    "  }",
    "}",
    "",
  ].join("\n");
  const page = document.getElementById("explorer");

  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    node.append(...children);
    return node;
  }

  function signIn(message) {
    const input = element("input", { id: "token", type: "password", autocomplete: "off", required: "", placeholder: "ads_…" });
    const form = element(
      "form",
      { class: "sign-in" },
      element("h1", {}, "ads admin API"),
      element("p", {}, "Sign in with an API token to explore the API; it stays in this browser tab only."),
      message ? element("p", { class: "error", role: "alert" }, message) : "",
      element("label", { for: "token" }, "Token"),
      input,
      element("button", { type: "submit", id: "sign-in" }, "Sign in"),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      sessionStorage.setItem(KEY, input.value.trim());
      start();
    });
    page.replaceChildren(form);
    input.focus();
  }

  async function fetcher(params) {
    const response = await fetch("/graphql", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        Authorization: "Bearer " + (sessionStorage.getItem(KEY) || ""),
      },
      body: JSON.stringify(params),
    });
    if (response.status === 401) {
      sessionStorage.removeItem(KEY);
      setTimeout(() => signIn("That token was not accepted: sign in with a valid token."), 0);
    }
    return response.json();
  }

  function start() {
    if (!sessionStorage.getItem(KEY)) {
      signIn();
      return;
    }
    const out = element("button", { type: "button", id: "sign-out" }, "Sign out");
    out.addEventListener("click", () => {
      sessionStorage.removeItem(KEY);
      window.location.reload();
    });
    const ide = element("div", { class: "ide" });
    page.replaceChildren(element("div", { class: "bar" }, element("strong", {}, "ads admin API"), element("span", { class: "signed-in" }, "signed in"), out), ide);
    ReactDOM.createRoot(ide).render(
      React.createElement(GraphiQL, { fetcher, defaultQuery: DEFAULT_QUERY, defaultEditorToolsVisibility: true }),
    );
  }

  start();
})();
