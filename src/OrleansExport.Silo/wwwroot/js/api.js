// @ts-check
import { session } from './session.js';

/** An API answer that was not a success: RFC 9457 problem details, with `field` naming the JSON field at fault. */
export class ApiError extends Error {
  constructor(status, detail, field = null) {
    super(detail);
    this.status = status;
    this.detail = detail;
    this.field = field;
  }
}

let onUnauthorized = () => {};

/** Called when a signed-in request answers 401: the key was removed from the configuration or the session is stale. */
export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

const fallbackDetails = {
  401: 'The API key is not accepted. Check that you pasted the whole key.',
  403: 'Your role may not do this. Ask an admin.',
  404: 'It does not exist any more; it may have been deleted.',
  413: 'The request is too large.',
  500: 'The server failed to answer. Try again; if it keeps failing, check the silo log.',
  503: 'The service is not ready yet. Try again in a few seconds.',
};

/**
 * Calls the HTTP API with the signed-in key (or `key`, for signing in). Resolves to the parsed JSON (null for 204);
 * rejects with an ApiError carrying the problem's `detail` and `field`.
 * @param {string} path
 * @param {{ method?: string, body?: unknown, key?: string }} [options]
 * @returns {Promise<any>}
 */
export async function api(path, { method = 'GET', body, key } = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json, application/problem+json' };
  const bearer = key ?? session.key;
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';

  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'The console cannot reach the server. Check that the silo is running, then try again.');
  }

  const text = await response.text();
  const data = text ? parseJson(text) : null;
  if (response.ok) {
    return data;
  }

  if (response.status === 401 && key === undefined) {
    onUnauthorized();
  }

  const detail = data?.detail || fallbackDetails[response.status] || data?.title || `The server answered ${response.status}.`;
  throw new ApiError(response.status, detail, typeof data?.field === 'string' ? data.field : null);
}

/**
 * Downloads a file from the API with the signed-in key and saves it as `fileName`: a plain link cannot carry the
 * Authorization header, so the answer is fetched, held as a blob and saved through a temporary object URL.
 */
export async function download(path, fileName) {
  let response;
  try {
    response = await fetch(path, { headers: { Authorization: `Bearer ${session.key}` }, cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'The console cannot reach the server. Check that the silo is running, then try again.');
  }

  if (!response.ok) {
    if (response.status === 401) onUnauthorized();
    const data = parseJson(await response.text());
    throw new ApiError(response.status, data?.detail || fallbackDetails[response.status] || `The server answered ${response.status}.`);
  }

  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement('a'), { href: url, download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
