// Panong sandbox — front-end of the local Telegram imitation.
//
// A plain ES module, no dependencies. The page keeps a local copy of every
// chat (filled from the server's long-poll change feed) and renders one
// phone-like "pane" per open person. Messages are never added locally when
// sending: the server echoes them on the feed, which is the single source of
// truth (avoids duplicates and keeps edits/deletes consistent).
//
// Safety: message text is only ever put into the DOM with text nodes /
// textContent, never innerHTML.

import {
  $, api, el, formatSize, postJSON, PRESET_PLACES, safeHref, sleep,
} from './common.js';

const API = '/sandbox/api';
const FILES = '/sandbox/files';

const CHAT_ACTIONS = {
  typing: 'typing…',
  upload_document: 'sending a file…',
  upload_photo: 'sending a photo…',
  find_location: 'choosing a location…',
};

const AVATAR_COLOURS = ['#e17076', '#7bc862', '#65aadd', '#a695e7', '#ee7aae', '#6ec9cb', '#faa774'];

const state = {
  bot: null,             // {id, first_name, username}
  people: new Map(),     // person id -> Person (insertion order = sidebar order)
  chats: new Map(),      // chat id -> Map(message id -> Message); insertion order = display order
  panes: new Map(),      // person id -> pane record (see buildPane)
  unread: new Map(),     // person id -> count of bot messages received while closed
  organisations: [],
};

// Messages older than this (history replayed at start) do not count as unread.
const startedAt = Date.now();

// ---------------------------------------------------------------- helpers





const fileUrl = (fileId) => `${FILES}/${encodeURIComponent(fileId)}`;

function formatTime(unixSeconds) {
  const d = new Date(unixSeconds * 1000);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}


function avatar(person, extraClass = '') {
  const name = person.first_name || '?';
  const colour = AVATAR_COLOURS[Math.abs(Number(person.id) || 0) % AVATAR_COLOURS.length];
  const node = el('span', { class: `avatar ${extraClass}`.trim(), text: [...name][0].toUpperCase() });
  node.style.background = colour;
  return node;
}

// ------------------------------------------------------------------ links


/**
 * Recognise a deep link into our own bot: https://t.me/<bot>?start=CODE
 * (also tg://resolve?domain=<bot>&start=CODE). Returns CODE or null.
 */
function parseInvite(url) {
  if (typeof url !== 'string') return null;
  const m = /^(?:https?:\/\/)?(?:www\.)?(?:t|telegram)\.me\/([A-Za-z0-9_]+)\/?\?(?:[^#]*&)?start=([A-Za-z0-9_-]+)/i.exec(url)
    || /^tg:\/\/resolve\?(?:[^#]*&)?domain=([A-Za-z0-9_]+)&(?:[^#]*&)?start=([A-Za-z0-9_-]+)/i.exec(url);
  if (!m) return null;
  const botName = state.bot && state.bot.username;
  if (botName && m[1].toLowerCase() !== botName.toLowerCase()) return null;
  return m[2];
}

function makeLink(url, pane) {
  const invite = parseInvite(url);
  const href = safeHref(url);
  const a = el('a', { class: 'link', href: href || undefined, target: '_blank', rel: 'noopener noreferrer', title: url });
  if (invite) {
    a.classList.add('invite-link');
    a.title = `Sandbox invite (/start ${invite}) — choose who opens it`;
    a.addEventListener('click', (e) => { e.preventDefault(); openInviteChooser(invite); });
  } else if (!href) {
    a.addEventListener('click', (e) => { e.preventDefault(); if (pane) showToast(pane, `Link not opened: ${url}`); });
  }
  return a;
}

// --------------------------------------------------------------- entities

const BLOCK_ENTITIES = new Set(['pre', 'blockquote', 'expandable_blockquote']);

/**
 * Turn text + Telegram entities into DOM nodes. Offsets are UTF-16 code
 * units, which is exactly how JS strings index, so slicing is direct.
 * Entities are sorted (outer first) and built recursively; an entity that
 * starts inside another is treated as its child and clipped to it.
 */
function renderRichText(text, entities, pane) {
  const frag = document.createDocumentFragment();
  const ents = (Array.isArray(entities) ? entities : [])
    .filter((e) => e && Number.isInteger(e.offset) && e.length > 0)
    .map((e) => ({ ...e, end: e.offset + e.length }))
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  buildRange(frag, text, 0, text.length, ents, pane);
  return frag;
}

function buildRange(parent, text, start, end, ents, pane) {
  let pos = start;
  let i = 0;
  while (i < ents.length && ents[i].offset < end) {
    const ent = ents[i];
    const entStart = Math.max(ent.offset, pos);
    const entEnd = Math.min(ent.end, end);
    let j = i + 1; // ents[i+1 .. j) start inside this entity: its children
    while (j < ents.length && ents[j].offset < entEnd) j++;
    if (entEnd > entStart) {
      if (entStart > pos) parent.append(text.slice(pos, entStart));
      const [outer, inner] = entityNode(ent, text.slice(ent.offset, ent.end), pane);
      buildRange(inner, text, entStart, entEnd, ents.slice(i + 1, j), pane);
      parent.append(outer);
      pos = entEnd;
      // A block element already breaks the line; swallow the "\n" after it.
      if (BLOCK_ENTITIES.has(ent.type) && pos < end && text[pos] === '\n') pos++;
    }
    i = j;
  }
  if (pos < end) parent.append(text.slice(pos, end));
}

/** Returns [outer element, element that receives the entity's content]. */
function entityNode(ent, raw, pane) {
  const simple = (tag, cls) => { const n = el(tag, { class: cls }); return [n, n]; };
  switch (ent.type) {
    case 'bold': return simple('strong');
    case 'italic': return simple('em');
    case 'underline': return simple('u');
    case 'strikethrough': return simple('s');
    case 'code': return simple('code', 'inline-code');
    case 'mention': return simple('span', 'mention');
    case 'hashtag': case 'cashtag': return simple('span', 'hashtag');
    case 'blockquote': case 'expandable_blockquote': return simple('blockquote');
    case 'pre': {
      const code = el('code', { dataset: ent.language ? { language: ent.language } : {} });
      return [el('pre', { class: 'pre' }, code), code];
    }
    case 'spoiler': {
      const span = el('span', { class: 'spoiler', title: 'Click to reveal' });
      // Capture phase: the first click only reveals, even on a link inside.
      span.addEventListener('click', (e) => {
        if (span.classList.contains('revealed')) return;
        e.preventDefault();
        e.stopPropagation();
        span.classList.add('revealed');
        span.removeAttribute('title');
      }, true);
      return [span, span];
    }
    case 'text_link': { const a = makeLink(ent.url, pane); return [a, a]; }
    case 'url': { const a = makeLink(raw, pane); return [a, a]; }
    case 'email': { const a = el('a', { class: 'link', href: `mailto:${raw}` }); return [a, a]; }
    case 'bot_command': {
      // Like Telegram: clicking a /command in a message sends it.
      const a = el('a', { class: 'link bot-command', href: '#', title: 'Send this command' });
      a.addEventListener('click', (e) => { e.preventDefault(); if (pane) sendText(pane.id, raw); });
      return [a, a];
    }
    default: return simple('span');
  }
}

// ---------------------------------------------------------------- messages

function buildMessage(msg, pane) {
  const fromBot = Boolean(msg.from && msg.from.is_bot);
  const wrap = el('div', {
    class: `message ${fromBot ? 'from-bot' : 'from-me'}`,
    dataset: { messageId: String(msg.message_id), from: fromBot ? 'bot' : 'me' },
  });
  const bubble = el('div', { class: 'bubble' });
  wrap.append(bubble);

  if (msg.reply_to_message) {
    const r = msg.reply_to_message;
    const preview = (r.text || r.caption || (r.photo ? '🖼 Photo' : r.document ? `📄 ${r.document.file_name || 'File'}` : '…')).slice(0, 80);
    bubble.append(el('div', { class: 'reply-quote' },
      el('span', { class: 'reply-name', text: (r.from && r.from.first_name) || '' }),
      el('span', { class: 'reply-text', text: preview })));
  }

  if (Array.isArray(msg.photo) && msg.photo.length) {
    const url = fileUrl(msg.photo[msg.photo.length - 1].file_id);
    const img = el('img', { class: 'photo', src: url, alt: 'photo' });
    // Images grow the list after layout; keep the pane pinned to the bottom.
    img.addEventListener('load', () => { if (pane.stick) scrollToBottom(pane); });
    bubble.append(el('a', { class: 'photo-link', href: url, target: '_blank', rel: 'noopener' }, img));
    bubble.classList.add('has-media');
  }

  if (msg.document) {
    const d = msg.document;
    const name = d.file_name || 'file';
    bubble.append(el('a', { class: 'document', href: fileUrl(d.file_id), download: name, title: `Download ${name}` },
      el('span', { class: 'doc-icon', text: '📄' }),
      el('span', { class: 'doc-info' },
        el('span', { class: 'doc-name', text: name }),
        el('span', { class: 'doc-size', text: [formatSize(d.file_size), d.mime_type].filter(Boolean).join(' · ') }))));
  }

  if (msg.location) {
    const { latitude, longitude } = msg.location;
    const place = PRESET_PLACES.find((p) => Math.abs(p.lat - latitude) < 0.0005 && Math.abs(p.lon - longitude) < 0.0005);
    bubble.append(el('div', { class: 'location-card' },
      `📍 ${Number(latitude).toFixed(4)}, ${Number(longitude).toFixed(4)}`,
      place ? el('span', { class: 'place-name', text: place.name }) : null));
  }

  const text = msg.text != null ? msg.text : msg.caption;
  const entities = msg.text != null ? msg.entities : msg.caption_entities;
  if (text) {
    bubble.append(el('div', { class: 'text' }, renderRichText(text, entities, pane)));
    bubble.classList.add('has-text');
  } else if (!msg.photo && !msg.document && !msg.location) {
    bubble.append(el('div', { class: 'unsupported', text: '(message type not shown in the sandbox)' }));
  }

  bubble.append(el('span', { class: 'meta', title: new Date(msg.date * 1000).toLocaleString() },
    msg.edit_date ? el('span', { class: 'edited', text: 'edited' }) : null,
    formatTime(msg.date)));
  if (msg.edit_date) bubble.classList.add('is-edited');

  const markup = msg.reply_markup || {};
  if (Array.isArray(markup.inline_keyboard) && markup.inline_keyboard.length) {
    wrap.classList.add('has-keyboard');
    wrap.append(el('div', { class: 'keyboard' }, ...markup.inline_keyboard.map((row) =>
      el('div', { class: 'keyboard-row' }, ...row.map((b) => buildInlineButton(b, msg, pane))))));
  }
  // Not in the sandbox spec, but cheap: a one-off reply keyboard is shown
  // under the message; its buttons just send their text.
  if (Array.isArray(markup.keyboard) && markup.keyboard.length) {
    wrap.append(el('div', { class: 'reply-keyboard' }, ...markup.keyboard.map((row) =>
      el('div', { class: 'keyboard-row' }, ...row.map((b) => buildReplyButton(b, pane))))));
  }
  return wrap;
}

function buildInlineButton(b, msg, pane) {
  const btn = el('button', { type: 'button', class: 'inline-button', text: b.text });
  if (b.callback_data != null) {
    btn.addEventListener('click', () => pressCallback(pane, msg.message_id, b.callback_data, btn));
  } else if (b.url) {
    const invite = parseInvite(b.url);
    btn.classList.add(invite ? 'is-invite' : 'is-url');
    btn.title = b.url;
    btn.addEventListener('click', () => {
      if (invite) return openInviteChooser(invite);
      const href = safeHref(b.url);
      if (href) window.open(href, '_blank', 'noopener');
      else showToast(pane, `Link not opened: ${b.url}`);
    });
  } else {
    btn.classList.add('is-unsupported');
    btn.addEventListener('click', () => showToast(pane, 'This kind of button is not supported in the sandbox.'));
  }
  return btn;
}

function buildReplyButton(b, pane) {
  const label = typeof b === 'string' ? b : b.text;
  const btn = el('button', { type: 'button', class: 'reply-button', text: label });
  btn.addEventListener('click', (e) => {
    if (b.request_location) { e.stopPropagation(); toggleLocationPopover(pane); }
    else if (b.request_contact || b.request_poll) showToast(pane, 'Not supported in the sandbox.');
    else sendText(pane.id, label);
  });
  return btn;
}

async function pressCallback(pane, messageId, data, btn) {
  btn.classList.add('busy');
  try {
    await postJSON(`${API}/chats/${pane.id}/callback`, { message_id: messageId, data });
  } catch (err) {
    showToast(pane, `Button failed: ${err.message}`);
  } finally {
    setTimeout(() => btn.classList.remove('busy'), 250);
  }
}

// ------------------------------------------------------------------ panes

const isNearBottom = (list) => list.scrollHeight - list.scrollTop - list.clientHeight < 80;
function scrollToBottom(pane) { pane.list.scrollTop = pane.list.scrollHeight; }

function buildPane(person) {
  const pane = { id: person.id, nodes: new Map(), stick: true, typingTimer: null };
  pane.name = el('div', { class: 'pane-name' });
  pane.sub = el('div', { class: 'pane-sub' });
  pane.avatarSlot = el('span', { class: 'avatar-slot' });
  pane.list = el('div', { class: 'messages' });
  pane.typing = el('div', { class: 'typing', hidden: true });
  pane.toasts = el('div', { class: 'toast-host' });
  pane.menuPop = el('div', { class: 'popover commands-popover', hidden: true });
  pane.locPop = buildLocationPopover(pane);
  pane.input = el('input', { class: 'composer-input', type: 'text', placeholder: 'Message (ข้อความ)', 'aria-label': 'Message' });
  pane.fileInput = el('input', { class: 'file-input', type: 'file', hidden: true });

  pane.list.addEventListener('scroll', () => { pane.stick = isNearBottom(pane.list); }, { passive: true });
  pane.input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendFromComposer(pane); }
  });
  pane.fileInput.addEventListener('change', () => {
    const file = pane.fileInput.files && pane.fileInput.files[0];
    pane.fileInput.value = '';
    if (file) sendFile(pane, file);
  });

  pane.el = el('section', { class: 'pane', dataset: { personId: String(person.id) } },
    el('header', { class: 'pane-header' },
      pane.avatarSlot,
      el('div', { class: 'pane-title' }, pane.name, pane.sub),
      el('button', { type: 'button', class: 'pane-close', title: 'Close (ปิด)', 'aria-label': 'Close', text: '✕', onclick: () => closePane(person.id) })),
    el('div', { class: 'chat-body' }, pane.list, pane.typing, pane.toasts, pane.menuPop, pane.locPop),
    el('div', { class: 'composer' },
      el('button', { type: 'button', class: 'menu-button', title: 'Bot commands (คำสั่ง)', text: '/', onclick: () => toggleCommandMenu(pane) }),
      pane.input,
      el('button', { type: 'button', class: 'attach-button icon-button', title: 'Send a file (ส่งไฟล์)', text: '📎', onclick: () => pane.fileInput.click() }),
      pane.fileInput,
      el('button', { type: 'button', class: 'location-button icon-button', title: 'Send a location (ส่งตำแหน่ง)', text: '📍', onclick: () => toggleLocationPopover(pane) }),
      el('button', { type: 'button', class: 'send-button', title: 'Send (ส่ง)', 'aria-label': 'Send', text: '➤', onclick: () => sendFromComposer(pane) })));
  updatePaneHeader(pane, person);
  return pane;
}

function updatePaneHeader(pane, person) {
  pane.name.textContent = person.first_name;
  pane.sub.textContent = [person.role_label, person.blocked ? 'blocked the bot' : null].filter(Boolean).join(' · ') || 'no role';
  pane.avatarSlot.replaceChildren(avatar(person));
}

function openPane(id, { scroll = true } = {}) {
  let pane = state.panes.get(id);
  if (!pane) {
    const person = state.people.get(id);
    if (!person) return null;
    pane = buildPane(person);
    state.panes.set(id, pane);
    $('#desk').append(pane.el);
    for (const msg of (state.chats.get(id) || new Map()).values()) {
      const node = buildMessage(msg, pane);
      pane.nodes.set(msg.message_id, node);
      pane.list.append(node);
    }
    requestAnimationFrame(() => scrollToBottom(pane));
    state.unread.delete(id);
    renderPeople();
    updateDeskHint();
  }
  if (scroll) pane.el.scrollIntoView({ behavior: 'smooth', block: 'nearest', inline: 'nearest' });
  return pane;
}

function closePane(id) {
  const pane = state.panes.get(id);
  if (!pane) return;
  clearTimeout(pane.typingTimer);
  pane.el.remove();
  state.panes.delete(id);
  renderPeople();
  updateDeskHint();
}

const togglePane = (id) => (state.panes.has(id) ? closePane(id) : openPane(id));
const updateDeskHint = () => { $('#desk-hint').hidden = state.panes.size > 0; };

// ----------------------------------------------------- toasts and popovers

/** Short toast over the pane, or (alert=true) a box with an OK button. */
function showToast(pane, text, alert = false) {
  if (alert) {
    const overlay = el('div', { class: 'alert-overlay' });
    const ok = el('button', { type: 'button', class: 'toast-ok', text: 'OK', onclick: () => overlay.remove() });
    overlay.append(el('div', { class: 'toast toast-alert', role: 'alertdialog' }, el('div', { class: 'toast-text', text }), ok));
    pane.el.append(overlay);
    ok.focus();
    return;
  }
  const toast = el('div', { class: 'toast', role: 'status', text });
  pane.toasts.append(toast);
  const ms = Math.min(8000, 2500 + 40 * text.length);
  setTimeout(() => { toast.classList.add('fading'); setTimeout(() => toast.remove(), 400); }, ms);
}

function hidePopovers(pane) { pane.menuPop.hidden = true; pane.locPop.hidden = true; }

async function toggleCommandMenu(pane) {
  if (!pane.menuPop.hidden) return hidePopovers(pane);
  hidePopovers(pane);
  pane.menuPop.replaceChildren(el('div', { class: 'popover-note', text: 'Loading…' }));
  pane.menuPop.hidden = false;
  try {
    // Fetched every time: the bot may set different commands per chat.
    const commands = await api(`${API}/chats/${pane.id}/commands`);
    pane.menuPop.replaceChildren(el('div', { class: 'popover-title', text: 'Commands (คำสั่ง)' }));
    if (!Array.isArray(commands) || !commands.length) {
      pane.menuPop.append(el('div', { class: 'popover-note', text: 'The bot has no commands for this chat.' }));
    }
    for (const c of commands || []) {
      pane.menuPop.append(el('button', {
        type: 'button', class: 'command-item',
        onclick: () => { hidePopovers(pane); sendText(pane.id, `/${c.command}`); },
      }, el('span', { class: 'command-name', text: `/${c.command}` }), el('span', { class: 'command-desc', text: c.description || '' })));
    }
  } catch (err) {
    pane.menuPop.replaceChildren(el('div', { class: 'popover-note error', text: `Could not load commands: ${err.message}` }));
  }
}

function buildLocationPopover(pane) {
  const lat = el('input', { class: 'lat-input', type: 'number', step: 'any', min: -90, max: 90, placeholder: 'Latitude', value: PRESET_PLACES[0].lat.toFixed(4) });
  const lon = el('input', { class: 'lon-input', type: 'number', step: 'any', min: -180, max: 180, placeholder: 'Longitude', value: PRESET_PLACES[0].lon.toFixed(4) });
  const sendCustom = () => {
    const la = parseFloat(lat.value);
    const lo = parseFloat(lon.value);
    if (!(Math.abs(la) <= 90 && Math.abs(lo) <= 180)) return showToast(pane, 'Latitude must be −90…90 and longitude −180…180.');
    hidePopovers(pane);
    sendLocation(pane, la, lo);
  };
  for (const input of [lat, lon]) {
    input.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); sendCustom(); } });
  }
  return el('div', { class: 'popover location-popover', hidden: true },
    el('div', { class: 'popover-title', text: 'Send a location (ส่งตำแหน่ง) — Samut Prakan' }),
    ...PRESET_PLACES.map((p) => el('button', {
      type: 'button', class: 'place-button',
      onclick: () => { hidePopovers(pane); sendLocation(pane, p.lat, p.lon); },
    }, el('span', { class: 'place-name', text: p.name }), el('span', { class: 'place-coords', text: `${p.lat.toFixed(4)}, ${p.lon.toFixed(4)}` }))),
    el('div', { class: 'custom-location' }, lat, lon,
      el('button', { type: 'button', class: 'send-location', text: 'Send', onclick: sendCustom })));
}

function toggleLocationPopover(pane) {
  const wasHidden = pane.locPop.hidden;
  hidePopovers(pane);
  pane.locPop.hidden = !wasHidden;
}

// ---------------------------------------------------------------- sending

/** Sending jumps to the bottom (like Telegram), so the echoed message is seen
 *  even if the feed delivers it before the POST itself answers. */
function pinToBottom(pane) { pane.stick = true; scrollToBottom(pane); }

async function sendText(personId, text) {
  const pane = state.panes.get(personId);
  if (pane) pinToBottom(pane);
  try {
    await postJSON(`${API}/chats/${personId}/messages`, { text });
    return true;
  } catch (err) {
    if (pane) showToast(pane, `Could not send: ${err.message}`);
    else window.alert(`Could not send: ${err.message}`);
    return false;
  }
}

async function sendFromComposer(pane) {
  const text = pane.input.value.trim();
  if (!text) return;
  pane.input.value = '';
  if (!(await sendText(pane.id, text)) && !pane.input.value) pane.input.value = text; // give it back
}

async function sendLocation(pane, latitude, longitude) {
  pinToBottom(pane);
  try {
    await postJSON(`${API}/chats/${pane.id}/messages`, { location: { latitude, longitude } });
  } catch (err) {
    showToast(pane, `Could not send location: ${err.message}`);
  }
}

/** Upload a document; whatever is typed in the composer becomes its caption. */
async function sendFile(pane, file) {
  const caption = pane.input.value.trim();
  const form = new FormData();
  form.append('file', file, file.name);
  if (caption) form.append('caption', caption);
  pane.input.value = '';
  showToast(pane, `Uploading ${file.name}…`);
  pinToBottom(pane);
  try {
    await api(`${API}/chats/${pane.id}/messages`, { method: 'POST', body: form });
  } catch (err) {
    if (caption && !pane.input.value) pane.input.value = caption;
    showToast(pane, `Upload failed: ${err.message}`);
  }
}

// ---------------------------------------------------------- invite chooser

function closeInviteChooser() {
  const old = $('.invite-chooser');
  if (old) old.remove();
}

function openInviteChooser(code) {
  closeInviteChooser();
  const overlay = el('div', { class: 'invite-chooser', role: 'dialog', 'aria-label': 'Open this invite as' });
  const choose = (id) => {
    overlay.remove();
    openPane(id); // open first so the echoed message renders as soon as it arrives
    sendText(id, `/start ${code}`);
  };
  overlay.append(el('div', { class: 'invite-box' },
    el('h3', { text: 'Open this invite as: (เปิดลิงก์เชิญในชื่อ)' }),
    el('div', { class: 'invite-code', text: `/start ${code}` }),
    el('ul', { class: 'invite-people' }, ...[...state.people.values()].map((p) => el('li', {},
      el('button', { type: 'button', class: 'invite-person', dataset: { personId: String(p.id) }, onclick: () => choose(p.id) },
        avatar(p), el('span', { class: 'invite-name', text: p.first_name }), el('span', { class: 'invite-role', text: p.role_label || '' }))))),
    el('button', { type: 'button', class: 'invite-cancel', text: 'Cancel (ยกเลิก)', onclick: () => overlay.remove() })));
  overlay.addEventListener('click', (e) => { if (e.target === overlay) overlay.remove(); });
  document.body.append(overlay);
}

// ---------------------------------------------------------------- sidebar

function renderBot() {
  const bot = state.bot || {};
  $('#bot-info').replaceChildren(
    el('span', { class: 'bot-badge', text: '🤖' }),
    el('div', {}, el('div', { class: 'bot-name', text: bot.first_name || 'Bot' }),
      el('div', { class: 'bot-username', text: bot.username ? `@${bot.username}` : '' })));
}

function renderPeople() {
  $('#people').replaceChildren(...[...state.people.values()].map((p) => {
    const open = state.panes.has(p.id);
    const unread = open ? 0 : state.unread.get(p.id) || 0;
    const li = el('li', {
      class: `person${open ? ' open' : ''}${p.blocked ? ' blocked' : ''}`,
      dataset: { personId: String(p.id) }, tabindex: 0, role: 'button', 'aria-pressed': String(open),
      title: open ? 'Close this phone' : 'Open this phone',
      onclick: () => togglePane(p.id),
      onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); togglePane(p.id); } },
    },
    avatar(p),
    el('div', { class: 'person-info' },
      el('div', { class: 'person-name' }, p.first_name, el('span', { class: 'lang', text: p.language_code || '' })),
      el('div', { class: 'person-role', text: [p.role_label, p.blocked ? 'blocked the bot' : null].filter(Boolean).join(' · ') || 'no role' })),
    unread ? el('span', { class: 'badge', text: String(unread) }) : null);
    return li;
  }));
}

function upsertPerson(person) {
  if (!person || person.id == null) return;
  state.people.set(person.id, person); // Map.set keeps the position of an existing id
  const pane = state.panes.get(person.id);
  if (pane) updatePaneHeader(pane, person);
  renderPeople();
}

function fillOrganisations(form) {
  const role = form.role.value;
  const select = form.organisation_id;
  $('.org-label', form).hidden = !role;
  const orgs = state.organisations.filter((o) => Array.isArray(o.roles) && o.roles.includes(role));
  select.replaceChildren(...(orgs.length
    ? orgs.map((o) => el('option', { value: o.id, text: o.name }))
    : [el('option', { value: '', text: '(no organisation for this role)' })]));
}

async function loadOrganisations(form) {
  try {
    const orgs = await api(`${API}/organisations`);
    state.organisations = Array.isArray(orgs) ? orgs : [];
  } catch (err) {
    $('.form-error', form).textContent = `Could not load organisations: ${err.message}`;
  }
  fillOrganisations(form);
}

function setupAddForm() {
  const form = $('#add-person');
  const error = $('.form-error', form);
  form.role.addEventListener('change', () => fillOrganisations(form));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const role = form.role.value || null;
    const body = {
      first_name: form.first_name.value.trim(),
      language_code: form.language_code.value,
      role,
      organisation_id: role ? form.organisation_id.value || null : null,
    };
    if (!body.first_name) { error.textContent = 'Please type a first name.'; return; }
    const button = $('.add-button', form);
    button.disabled = true;
    try {
      const person = await postJSON(`${API}/people`, body);
      upsertPerson(person); // the "person" event will arrive too; upsert is idempotent
      form.first_name.value = '';
      openPane(person.id);
    } catch (err) {
      error.textContent = err.message;
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

// ------------------------------------------------------------ change feed

function onMessage(chatId, msg) {
  if (!msg || msg.message_id == null) return;
  let chat = state.chats.get(chatId);
  if (!chat) state.chats.set(chatId, (chat = new Map()));
  const isNew = !chat.has(msg.message_id);
  chat.set(msg.message_id, msg); // a new version keeps its place in the Map
  const fromBot = Boolean(msg.from && msg.from.is_bot);

  const pane = state.panes.get(chatId);
  if (!pane) {
    if (isNew && fromBot && msg.date * 1000 >= startedAt - 5000) {
      state.unread.set(chatId, (state.unread.get(chatId) || 0) + 1);
      renderPeople();
    }
    return;
  }
  const stick = pane.stick || isNearBottom(pane.list);
  const node = buildMessage(msg, pane);
  const old = pane.nodes.get(msg.message_id);
  if (old) old.replaceWith(node);
  else pane.list.append(node);
  pane.nodes.set(msg.message_id, node);
  if (isNew && fromBot) hideTyping(pane);
  if (stick) { scrollToBottom(pane); pane.stick = true; }
}

function onDelete(chatId, messageId) {
  const chat = state.chats.get(chatId);
  if (chat) chat.delete(messageId);
  const pane = state.panes.get(chatId);
  if (!pane) return;
  const node = pane.nodes.get(messageId);
  if (node) node.remove();
  pane.nodes.delete(messageId);
}

function hideTyping(pane) { clearTimeout(pane.typingTimer); pane.typing.hidden = true; }

function showChatAction(pane, action) {
  pane.typing.textContent = CHAT_ACTIONS[action] || `${String(action).replace(/_/g, ' ')}…`;
  pane.typing.hidden = false;
  clearTimeout(pane.typingTimer);
  pane.typingTimer = setTimeout(() => { pane.typing.hidden = true; }, 3000);
}

function handleEvent(ev) {
  const pane = ev && state.panes.get(ev.chat_id);
  switch (ev && ev.type) {
    case 'message': return onMessage(ev.chat_id, ev.message);
    case 'delete': return onDelete(ev.chat_id, ev.message_id);
    case 'callback_answer': if (pane && ev.text) showToast(pane, ev.text, Boolean(ev.show_alert)); return;
    case 'chat_action': if (pane) showChatAction(pane, ev.action); return;
    case 'person': return upsertPerson(ev.person);
    default: return; // unknown event types are ignored
  }
}

function setConnection(ok) {
  const c = $('#connection');
  if (c.dataset.state === (ok ? 'ok' : 'down')) return;
  c.dataset.state = ok ? 'ok' : 'down';
  c.textContent = ok ? '● connected' : '● reconnecting…';
}

async function loadState() {
  for (;;) {
    try {
      const st = await api(`${API}/state`);
      state.bot = st.bot || null;
      for (const p of st.people || []) state.people.set(p.id, p);
      return st;
    } catch {
      setConnection(false);
      await sleep(1000);
    }
  }
}

/** Long-poll loop. since=0 first replays the whole history in order. */
async function pollChanges() {
  let since = 0;
  for (;;) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 40000); // guard against a hung request
    try {
      const data = await api(`${API}/changes?since=${since}&timeout=25`, { signal: abort.signal });
      setConnection(true);
      if (typeof data.seq === 'number' && data.seq < since) {
        // The server restarted with a fresh log: drop our copy and replay.
        state.chats.clear();
        for (const pane of state.panes.values()) { pane.nodes.clear(); pane.list.replaceChildren(); }
        since = 0;
        continue;
      }
      for (const ev of data.events || []) {
        try { handleEvent(ev); } catch (err) { console.error('bad event', ev, err); }
      }
      if (typeof data.seq === 'number') since = data.seq;
    } catch (err) {
      setConnection(false);
      await sleep(1000);
    } finally {
      clearTimeout(timer);
    }
  }
}

// ------------------------------------------------------------------- init

function setupGlobalHandlers() {
  // A click anywhere outside a pane's popover (or its trigger) closes it.
  document.addEventListener('click', (e) => {
    const t = e.target;
    for (const pane of state.panes.values()) {
      if (pane.el.contains(t) && t.closest && t.closest('.popover, .menu-button, .location-button, .reply-button')) continue;
      hidePopovers(pane);
    }
  });
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    closeInviteChooser();
    for (const pane of state.panes.values()) hidePopovers(pane);
  });
}

async function init() {
  const form = setupAddForm();
  setupGlobalHandlers();
  const st = await loadState();
  renderBot();
  renderPeople();
  for (const p of (st.people || []).slice(0, 3)) openPane(p.id, { scroll: false });
  updateDeskHint();
  loadOrganisations(form);
  pollChanges();
}

init();
