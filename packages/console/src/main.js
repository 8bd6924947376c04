import { claims, loadConfig, mintDevToken, setTenant, setToken, token } from './api.js';
import { setUpTabs } from './tabs.js';
import { loadOutbox } from './views/outbox.js';
import { loadReconcile } from './views/reconcile.js';
import { exportTimeline, loadTimeline } from './views/timeline.js';

/**
 * The console's wiring. The address bar holds the view and the search
 * (`#/outbox`, `#/timeline/entity/<id>`, `#/reconcile`), so a timeline can be
 * linked to, reloaded, and reached with Back. The `/` keeps a fragment from
 * naming a panel's id, which would move focus to the panel on every switch.
 */
const $ = (id) => document.getElementById(id);
const PANELS = ['outbox', 'timeline', 'reconcile'];

const tabs = setUpTabs($('tabs'), (panelId) => {
  navigate(panelId === 'timeline' && lastSearch ? searchHash(lastSearch) : `#/${panelId}`);
});
let lastSearch = null;

const searchHash = (search) => `#/timeline/${search.kind}/${encodeURIComponent(search.value)}`;

function navigate(hash) {
  if (location.hash === hash) void render();
  else location.hash = hash;
}

function parseHash() {
  const [panel, kind, value] = location.hash.replace(/^#\/?/, '').split('/');
  if (!PANELS.includes(panel)) return { panel: 'outbox' };
  if (panel === 'timeline' && kind && value) {
    return { panel, search: { kind, value: decodeURIComponent(value) } };
  }
  return { panel };
}

/** Shows the view the address names and loads its data; errors go to the alert above the views. */
async function render() {
  const { panel, search } = parseHash();
  tabs.show(panel);
  const error = $('error');
  error.hidden = true;
  if (!token()) {
    error.textContent = 'Give a token with the operator scope to start.';
    error.hidden = false;
    return;
  }
  try {
    if (panel === 'outbox') await loadOutbox();
    if (panel === 'reconcile') await loadReconcile();
    if (panel === 'timeline' && search) {
      lastSearch = search;
      $('timeline-kind').value = search.kind;
      $('timeline-value').value = search.value;
      await loadTimeline(search);
    }
  } catch (failure) {
    error.textContent = failure.message;
    error.hidden = false;
  }
}

function showWho() {
  const who = claims();
  $('who').textContent = who
    ? `Signed in as ${who.sub} of ${who.tenant} (${who.scopes.join(', ') || 'no scopes'})`
    : '';
  // Only a platform operator may choose another tenant; the API enforces it, this only hides the field.
  $('tenant-picker').hidden = !who?.scopes.includes('platform');
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  setToken($('token').value);
  $('token').value = '';
  showWho();
  void render();
});

$('dev-token-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    setToken(
      await mintDevToken({
        tenant: $('dev-tenant').value,
        sub: $('dev-sub').value,
        platform: $('dev-platform').checked,
      }),
    );
    showWho();
    void render();
  } catch (failure) {
    $('error').textContent = failure.message;
    $('error').hidden = false;
  }
});

$('tenant').addEventListener('change', () => {
  setTenant($('tenant').value);
  void render();
});

$('timeline-form').addEventListener('submit', (event) => {
  event.preventDefault();
  navigate(searchHash({ kind: $('timeline-kind').value, value: $('timeline-value').value.trim() }));
});
$('timeline-export').addEventListener('click', exportTimeline);

window.addEventListener('hashchange', () => void render());

const config = loadConfig();
$('dev-token-form').hidden = !config.devTokens;
showWho();
await render();
