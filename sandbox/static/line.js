// Panong sandbox — LINE phones, beside the Telegram ones.
//
// A plain ES module, no dependencies. The page keeps a copy of each one-to-one chat,
// filled from the server's long-poll feed (/sandbox/line/changes), which is the only
// source of truth: what a person sends is shown when the feed echoes it. It draws what
// LINE would: text bubbles, quick reply chips under the last message, buttons and confirm
// templates, flex bubbles and carousels, and the bot's rich menu; postback, datetime
// picker, message, URI and location actions do what they do in LINE.
//
// Safety: message text only goes into the DOM as text nodes / textContent; links the bot
// sends open only with http(s) schemes; colours are used only when they are #rrggbb(aa).

import { $, api, el, formatSize, postJSON, PRESET_PLACES, safeHref, sleep } from './common.js';

const API = '/sandbox/line';

const state = {
  bot: null,          // {user_id, display_name, basic_id}
  people: new Map(),  // user id -> {user_id, display_name, language, friend, rich_menu}
  chats: new Map(),   // chat id -> [entry]
  panes: new Map(),   // user id -> pane record (see buildPane)
  richMenu: null,     // the default rich menu, as the bot created it (a person's own comes first)
};

const clock = (ms) => {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};
const colour = (value) => (/^#[0-9a-f]{6}([0-9a-f]{2})?$/i.test(value || '') ? value : null);

// ---------------------------------------------------------------- actions

async function act(pane, action) {
  pane.error.textContent = '';
  try {
    switch (action && action.type) {
      case 'postback':
        return await postJSON(`${API}/chats/${pane.id}/postback`, { data: action.data });
      case 'datetimepicker': return openPicker(pane, action);
      case 'message': return await sendText(pane, action.text);
      case 'uri': {
        const href = safeHref(action.uri);
        if (href && /^https?:/i.test(href)) window.open(href, '_blank', 'noopener');
        return null;
      }
      case 'location': pane.places.hidden = !pane.places.hidden; return null;
      case 'camera': case 'cameraRoll': pane.fileInput.click(); return null;
      default: throw new Error(`the sandbox has no ${action && action.type} action`);
    }
  } catch (err) {
    pane.error.textContent = err.message;
    return null;
  }
}

function actionButton(pane, action, cls) {
  return el('button', { type: 'button', class: cls, text: (action && action.label) || '…',
                        onclick: () => act(pane, action) });
}

const PICKER_INPUTS = { date: 'date', time: 'time', datetime: 'datetime-local' };

function openPicker(pane, action) {
  const input = el('input', { type: PICKER_INPUTS[action.mode] || 'date', required: true,
                              value: action.initial || '' });
  if (action.min) input.min = action.min;
  if (action.max) input.max = action.max;
  const form = el('form', { class: 'picker' },
    el('label', { text: action.label || 'Pick' }), input,
    el('button', { type: 'submit', class: 'picker-ok', text: 'OK' }),
    el('button', { type: 'button', text: 'Cancel', onclick: () => form.remove() }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await postJSON(`${API}/chats/${pane.id}/postback`, { data: action.data, picked: input.value });
      form.remove();
    } catch (err) { pane.error.textContent = err.message; }
  });
  pane.el.querySelector('.picker')?.remove();
  pane.composer.before(form);
  input.focus();
}

// ------------------------------------------------------------------ flex

function flexNode(pane, c) {
  if (!c || typeof c !== 'object') return null;
  switch (c.type) {
    case 'carousel':
      return el('div', { class: 'flex-carousel' }, ...(c.contents || []).map((b) => flexNode(pane, b)));
    case 'bubble':
      return el('div', { class: 'flex-bubble' }, ...['header', 'hero', 'body', 'footer']
        .filter((part) => c[part])
        .map((part) => el('div', { class: `flex-${part}` }, flexNode(pane, c[part]))));
    case 'box': {
      const box = el('div', { class: `flex-box flex-${c.layout || 'vertical'}` },
        ...(c.contents || []).map((child) => flexNode(pane, child)));
      if (colour(c.backgroundColor)) box.style.background = c.backgroundColor;
      if (typeof c.flex === 'number') box.style.flex = String(c.flex);
      if (c.action) { box.classList.add('tappable'); box.addEventListener('click', () => act(pane, c.action)); }
      return box;
    }
    case 'text': {
      const words = c.text ?? (c.contents || []).map((span) => span.text || '').join('');
      const text = el('p', { class: `flex-text size-${c.size || 'md'}`, text: words });
      if (c.weight === 'bold') text.classList.add('bold');
      if (typeof c.flex === 'number') text.style.flex = String(c.flex);  // a row's share
      if (colour(c.color)) text.style.color = c.color;
      if (c.action) { text.classList.add('tappable'); text.addEventListener('click', () => act(pane, c.action)); }
      return text;
    }
    case 'button': return actionButton(pane, c.action, `flex-button ${c.style || 'link'}`);
    case 'separator': return el('hr', { class: 'flex-separator' });
    case 'filler': case 'spacer': return el('div', { class: 'flex-spacer' });
    default: return el('span', { class: 'flex-other', text: `[${c.type}]` });
  }
}

// --------------------------------------------------------------- messages

function botMessage(pane, m) {
  switch (m.type) {
    case 'text': return el('div', { class: 'bubble in', text: m.text });
    case 'flex': return el('div', { class: 'flex', title: m.altText }, flexNode(pane, m.contents));
    case 'template': {
      const t = m.template || {};
      const buttons = (t.actions || []).map((a) => actionButton(pane, a, 'template-button'));
      return el('div', { class: `template ${t.type}`, title: m.altText },
        t.title ? el('p', { class: 'template-title', text: t.title }) : null,
        el('p', { class: 'template-text', text: t.text || '' }),
        el('div', { class: 'template-actions' }, ...buttons));
    }
    case 'location':
      return el('div', { class: 'bubble in', text: `📍 ${m.title || ''}\n${m.address || ''}` });
    case 'image': {  // a picture at the bot's own (short-lived) link: opens full size
      const href = safeHref(m.originalContentUrl);
      return el('a', { class: 'bubble in image', href: href || '#', target: '_blank', rel: 'noopener' },
        el('img', { src: safeHref(m.previewImageUrl) || href || '', alt: 'image' }));
    }
    default: return el('div', { class: 'bubble in other', text: `[${m.type}]` });
  }
}

function personMessage(pane, entry) {
  const m = entry.message;
  if (!m) {  // a postback: LINE shows nothing, the sandbox a faint note of what was tapped
    const picked = Object.values(entry.postback.params || {})[0];
    return el('p', { class: 'tapped', text: `tapped “${entry.label || entry.postback.data}”${picked ? `: ${picked}` : ''}` });
  }
  switch (m.type) {
    case 'text': return el('div', { class: 'bubble out', text: m.text });
    case 'location':
      return el('div', { class: 'bubble out', text: `📍 ${m.title || ''} ${m.address || ''}\n${m.latitude}, ${m.longitude}` });
    case 'file':
      return el('a', { class: 'bubble out file', href: `${API}/content/${encodeURIComponent(m.id)}?name=${encodeURIComponent(m.fileName)}`,
                       text: `📎 ${m.fileName} · ${formatSize(m.fileSize)}` });
    default: return el('div', { class: 'bubble out', text: `[${m.type}]` });
  }
}

function entryNode(pane, entry) {
  const fromBot = entry.from === 'bot';
  const body = fromBot ? botMessage(pane, entry.message) : personMessage(pane, entry);
  const meta = el('span', { class: 'meta', text: clock(entry.at) + (entry.via === 'push' ? ' · push' : '') });
  if (!fromBot && !entry.message) return body;
  return el('div', { class: `row ${fromBot ? 'from-bot' : 'from-person'}` },
    fromBot ? el('span', { class: 'bot-avatar', text: [...(state.bot?.display_name || 'B')][0] }) : null,
    body, meta);
}

function renderQuickReplies(pane) {
  const entries = state.chats.get(pane.id) || [];
  const last = entries[entries.length - 1];
  const items = (last && last.from === 'bot' && last.message.quickReply?.items) || [];
  pane.quick.replaceChildren(...items.map((item) => actionButton(pane, item.action, 'chip')));
  pane.quick.hidden = items.length === 0;
}

function onSaid(chatId, entry) {
  if (!state.chats.has(chatId)) state.chats.set(chatId, []);
  state.chats.get(chatId).push(entry);
  const pane = state.panes.get(chatId);
  if (!pane) return;
  pane.list.append(entryNode(pane, entry));
  renderQuickReplies(pane);
  pane.list.scrollTop = pane.list.scrollHeight;
}

// ------------------------------------------------------------------ panes

async function sendText(pane, text) {
  await postJSON(`${API}/chats/${pane.id}/messages`, { text });
}

function renderRichMenu(pane) {
  const menu = (state.people.get(pane.id) || {}).rich_menu || state.richMenu;
  pane.menuToggle.hidden = !menu;
  if (!menu) { pane.menu.hidden = true; return; }
  pane.menuToggle.textContent = `${menu.chatBarText} ▾`;
  const { width, height } = menu.size;
  pane.menu.style.aspectRatio = `${width} / ${height}`;
  pane.menu.replaceChildren(...(menu.areas || []).map((area) => {
    const b = area.bounds;
    const button = actionButton(pane, area.action, 'menu-area');
    Object.assign(button.style, { left: `${(100 * b.x) / width}%`, top: `${(100 * b.y) / height}%`,
                                  width: `${(100 * b.width) / width}%`, height: `${(100 * b.height) / height}%` });
    return button;
  }));
}

function buildPane(person) {
  const pane = { id: person.user_id };
  pane.list = el('div', { class: 'messages' });
  pane.quick = el('div', { class: 'quick-replies', hidden: true });
  pane.error = el('p', { class: 'error', role: 'alert' });
  pane.places = el('div', { class: 'places', hidden: true }, ...PRESET_PLACES.map((p) => el('button', {
    type: 'button', text: p.name,
    onclick: async () => {
      pane.places.hidden = true;
      try {
        await postJSON(`${API}/chats/${pane.id}/messages`,
          { location: { latitude: p.lat, longitude: p.lon, title: p.name, address: 'Samut Prakan' } });
      } catch (err) { pane.error.textContent = err.message; }
    } })));
  pane.fileInput = el('input', { type: 'file', hidden: true, onchange: async () => {
    const file = pane.fileInput.files[0];
    pane.fileInput.value = '';
    if (!file) return;
    const form = new FormData();
    form.append('file', file, file.name);
    try { await api(`${API}/chats/${pane.id}/messages`, { method: 'POST', body: form }); }
    catch (err) { pane.error.textContent = err.message; }
  } });
  const input = el('input', { class: 'text', placeholder: 'Aa', 'aria-label': 'Message' });
  pane.composer = el('form', { class: 'composer' },
    el('button', { type: 'button', class: 'icon', title: 'Share a location', text: '📍',
                   onclick: () => { pane.places.hidden = !pane.places.hidden; } }),
    el('button', { type: 'button', class: 'icon', title: 'Send a file', text: '📎',
                   onclick: () => pane.fileInput.click() }),
    input, el('button', { type: 'submit', class: 'send', text: 'Send' }), pane.fileInput);
  pane.composer.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = input.value;
    if (!text.trim()) return;
    try { await sendText(pane, text); input.value = ''; }
    catch (err) { pane.error.textContent = err.message; }
  });
  pane.menu = el('div', { class: 'rich-menu', hidden: true });
  pane.menuToggle = el('button', { type: 'button', class: 'menu-toggle', hidden: true,
                                   onclick: () => { pane.menu.hidden = !pane.menu.hidden; } });
  pane.block = el('button', { type: 'button', class: 'block', onclick: async () => {
    const blocked = state.people.get(pane.id).friend;
    try { upsertPerson(await postJSON(`${API}/chats/${pane.id}/block`, { blocked })); }
    catch (err) { pane.error.textContent = err.message; }
  } });
  pane.title = el('span', { class: 'who' });
  pane.el = el('section', { class: 'phone', dataset: { userId: person.user_id } },
    el('header', { class: 'phone-header' },
      el('span', { class: 'bot-name', text: state.bot?.display_name || 'bot' }), pane.title, pane.block),
    pane.list, pane.quick, pane.error, pane.places, pane.composer, pane.menuToggle, pane.menu);
  updatePane(pane, person);
  renderRichMenu(pane);
  for (const entry of state.chats.get(pane.id) || []) pane.list.append(entryNode(pane, entry));
  renderQuickReplies(pane);
  return pane;
}

function updatePane(pane, person) {
  pane.title.textContent = `${person.display_name}'s phone`;
  pane.block.textContent = person.friend ? 'Block' : 'Unblock';
  pane.el.classList.toggle('blocked', !person.friend);
}

function togglePane(userId) {
  const open = state.panes.get(userId);
  if (open) {
    open.el.remove();
    state.panes.delete(userId);
  } else {
    const pane = buildPane(state.people.get(userId));
    state.panes.set(userId, pane);
    $('#desk').append(pane.el);
    pane.list.scrollTop = pane.list.scrollHeight;
  }
  $('#desk-hint').hidden = state.panes.size > 0;
  renderPeople();
}

// ----------------------------------------------------------------- people

function renderPeople() {
  $('#people').replaceChildren(...[...state.people.values()].map((p) => el('li', {
    class: state.panes.has(p.user_id) ? 'open' : '', dataset: { userId: p.user_id },
    onclick: () => togglePane(p.user_id),
  }, el('span', { class: 'name', text: p.display_name }),
  el('span', { class: 'tag', text: p.friend ? p.language : 'blocked' }))));
}

function upsertPerson(person) {
  state.people.set(person.user_id, person);
  const pane = state.panes.get(person.user_id);
  if (pane) { updatePane(pane, person); renderRichMenu(pane); }
  renderPeople();
}

function setupAddForm() {
  const form = $('#add-person');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const error = $('.form-error', form);
    error.textContent = '';
    try {
      const person = await postJSON(`${API}/people`, Object.fromEntries(new FormData(form)));
      upsertPerson(person);
      form.reset();
      if (!state.panes.has(person.user_id)) togglePane(person.user_id);
    } catch (err) { error.textContent = err.message; }
  });
}

// ------------------------------------------------------------------- feed

function handleChange(change) {
  switch (change.type) {
    case 'said': return onSaid(change.chat_id, change.entry);
    case 'person': return upsertPerson(change.person);
    case 'rich_menu':
      state.richMenu = change.rich_menu;
      for (const pane of state.panes.values()) renderRichMenu(pane);
      return null;
    default: return null;
  }
}

function setConnection(ok) {
  const c = $('#connection');
  c.dataset.state = ok ? 'ok' : 'down';
  c.textContent = ok ? '● connected' : '● reconnecting…';
}

async function pollChanges() {
  let since = 0;
  for (;;) {
    try {
      const data = await api(`${API}/changes?since=${since}&timeout=25`);
      setConnection(true);
      if (data.seq < since) {  // the sandbox restarted: start again from its beginning
        state.chats.clear();
        for (const pane of state.panes.values()) pane.list.replaceChildren();
        since = 0;
        continue;
      }
      for (const change of data.changes) handleChange(change);
      since = data.seq;
    } catch {
      setConnection(false);
      await sleep(1000);
    }
  }
}

async function init() {
  setupAddForm();
  const st = await api(`${API}/state`);
  state.bot = st.bot;
  state.richMenu = st.rich_menu;
  $('#bot-info').replaceChildren(el('strong', { text: st.bot.display_name }),
    el('span', { text: ` ${st.bot.basic_id}` }));
  for (const person of st.people) state.people.set(person.user_id, person);
  renderPeople();
  for (const person of st.people.slice(0, 2)) togglePane(person.user_id);
  pollChanges();
}

init();
