// Panong sandbox — what the Telegram and the LINE pages share: a DOM builder, the
// JSON fetch wrapper, safe links, sizes, and the places a person can share.
//
// Safety: text only ever goes into the DOM as text nodes / textContent.

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const PRESET_PLACES = [
  { name: 'Mueang Samut Prakan', lat: 13.5990, lon: 100.5968 },
  { name: 'Bang Phli', lat: 13.6050, lon: 100.7060 },
  { name: 'Bang Bo', lat: 13.5840, lon: 100.8370 },
  { name: 'Phra Pradaeng', lat: 13.6590, lon: 100.5330 },
  { name: 'Phra Samut Chedi', lat: 13.5970, lon: 100.5660 },
  { name: 'Bang Sao Thong', lat: 13.6330, lon: 100.8070 },
];

export const $ = (sel, root = document) => root.querySelector(sel);

/** Small DOM builder. Props: class, text, dataset, on<event>, anything else -> attribute. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) if (child != null && child !== false) node.append(child);
  return node;
}

/** fetch() wrapper: parses JSON, turns non-2xx answers into Errors carrying the server's message. */
export async function api(path, options = {}) {
  const res = await fetch(path, options);
  let data = null;
  try { data = await res.json(); } catch { /* empty or non-JSON body */ }
  if (!res.ok) throw new Error((data && data.error) || `${res.status} ${res.statusText}`);
  return data;
}

export function postJSON(path, body) {
  return api(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export function formatSize(bytes) {
  if (!Number.isFinite(bytes)) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Only let safe schemes become real hrefs; bare "example.com" gets http://. */
export function safeHref(url) {
  if (typeof url !== 'string' || !url) return null;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  if (!scheme) return `http://${url}`;
  return ['http', 'https', 'mailto'].includes(scheme[1].toLowerCase()) ? url : null;
}
