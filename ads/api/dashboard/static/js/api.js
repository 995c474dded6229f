// The GraphQL client: every operation is a trusted document, sent by its id.

import { token } from "./session.js";

export class Unauthorized extends Error {}
export class Unavailable extends Error {}

let documents = null;

async function documentIds() {
  if (documents === null) {
    const response = await fetch("/dashboard/documents.json");
    if (!response.ok) throw new Unavailable("the dashboard's documents could not be read");
    documents = await response.json();
  }
  return documents;
}

// Runs a registered operation; resolves to {data, errors}. A request refused as a whole
// (401, 403, 503, unknown document) rejects with an error carrying the server's message.
export async function run(name, variables = {}) {
  const ids = await documentIds();
  if (!(name in ids)) throw new Error(`no trusted document named ${name}`);
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/graphql-response+json, application/json",
        Authorization: `Bearer ${token() || ""}`,
      },
      body: JSON.stringify({ documentId: ids[name], variables }),
    });
  } catch {
    throw new Unavailable("the server cannot be reached; retry in a moment");
  }
  if (response.status === 401) throw new Unauthorized("this token was not accepted");
  if (response.status === 503) throw new Unavailable("the service is unavailable; retry in a moment");
  let body;
  try {
    body = await response.json();
  } catch {
    throw new Unavailable(`unexpected answer from the server (HTTP ${response.status})`);
  }
  if (!("data" in body) || body.data === null) {
    const message = body.errors?.[0]?.message || `HTTP ${response.status}`;
    throw new Error(message);
  }
  return body;
}

// Downloads a file the API serves with the same token (an <a href> cannot send it).
export async function download(path, filename) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${token() || ""}` } });
  if (!response.ok) throw new Error(`the download failed (HTTP ${response.status})`);
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement("a"), { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
