/// A small static web UI: log in, then defenders, rules and audits, all through the public API.
///
/// The page holds no script, no style and no event handler of its own: they come from `/ui/app.js` and
/// `/ui/app.css`, so the Content-Security-Policy forbids everything inline. The script puts every value
/// from the console into the page as text (`textContent`), never as markup, and its buttons carry their
/// target in `data-` attributes read by one click listener.
enum WebUI {
    static let index = #"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Scute console</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="stylesheet" href="/ui/app.css"></head><body>
        <header><b>Scute</b><a data-view="defenders">Defenders</a><a data-view="rules">Runtime rules</a>
        <a data-view="audits">Audits</a><span class="grow"></span><a id="logout">Log out</a></header>
        <main>
        <section id="login" class="hidden"><h2>Log in</h2><form id="loginForm">
        <input id="user" placeholder="user" autocomplete="username"> <input id="password" type="password" placeholder="password" autocomplete="current-password">
        <button>Log in</button></form><p class="err" id="loginError"></p></section>
        <section id="defenders" class="hidden"><h2>Defenders</h2><table id="defTable"></table></section>
        <section id="rules" class="hidden"><h2>Runtime rules <small id="ruleVersion"></small></h2><table id="ruleTable"></table>
        <h3>Add or replace a rule (JSON)</h3><textarea id="ruleJSON">{"name": "example", "collections": [{"appIDs": ["*"]}],
         "processes": {"effect": "alert", "denied": ["nc"]}}</textarea><button id="saveRule">Save</button><p class="err" id="ruleError"></p></section>
        <section id="audits" class="hidden"><h2>Runtime audits</h2>
        <input id="auditApp" placeholder="app ID"> <select id="auditType"><option value="">any type</option><option>process</option><option>dns</option>
        <option>network</option><option>listening</option></select> <button id="auditSearch">Search</button> <a id="auditCSV" href="#">CSV</a>
        <table id="auditTable"></table></section>
        </main><script src="/ui/app.js"></script></body></html>
        """#

    static let style = #"""
        body{font-family:system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
        header{background:#1d2330;color:#fff;padding:.7em 1.2em;display:flex;gap:1.2em;align-items:center}
        header a{color:#cfd6e4;cursor:pointer;text-decoration:none} header a.on{color:#fff;font-weight:600}
        main{padding:1.2em} table{border-collapse:collapse;width:100%;background:#fff}
        td,th{border-bottom:1px solid #e3e6ea;padding:.35em .6em;text-align:left;font-size:.92em;vertical-align:top}
        .err{color:#b00020} textarea{width:100%;height:14em;font-family:monospace} .hidden{display:none} .grow{flex:1}
        input,button,select{font-size:1em;margin:.2em} pre{margin:0;white-space:pre-wrap;word-break:break-all}
        """#

    static let script = #"""
        'use strict';
        const $ = id => document.getElementById(id);
        const api = (path, opts = {}) => fetch('/api/v1' + path, {...opts, headers: {'Authorization': 'Bearer ' + (sessionStorage.token || ''),
          'Content-Type': 'application/json', ...(opts.headers || {})}}).then(async r => {
          if (r.status === 401) { show('login'); throw new Error('log in again'); }
          const text = await r.text();
          const body = text && (r.headers.get('content-type') || '').includes('json') ? JSON.parse(text) : text;
          if (!r.ok) throw new Error(body && body.error ? body.error.message : r.statusText); return body; });
        // Values from the console become text nodes, never markup.
        function cell(tag, content) {
          const el = document.createElement(tag);
          if (content instanceof Node) el.appendChild(content); else el.textContent = content == null ? '' : String(content);
          return el;
        }
        function fill(table, headers, rows) {
          const head = document.createElement('tr');
          for (const h of headers) head.appendChild(cell('th', h));
          table.replaceChildren(head);
          for (const r of rows) { const tr = document.createElement('tr'); for (const c of r) tr.appendChild(cell('td', c)); table.appendChild(tr); }
        }
        function button(label, action, value) {
          const b = document.createElement('button'); b.textContent = label; b.dataset.action = action; b.dataset.value = value; return b;
        }
        function pre(text) { const p = document.createElement('pre'); p.textContent = text; return p; }
        function show(view) {
          for (const s of document.querySelectorAll('main section')) s.classList.toggle('hidden', s.id !== view);
          for (const a of document.querySelectorAll('header a[data-view]')) a.classList.toggle('on', a.dataset.view === view);
          if (view !== 'login') loaders[view]().catch(e => alert(e.message));
        }
        const loaders = {
          async defenders() {
            const d = await api('/defenders');
            fill($('defTable'), ['ID', 'App', 'Task family', 'Container', 'Image', 'Version', 'Status', 'Last seen', ''], d.defenders.map(x =>
              [x.id, x.appID, x.taskFamily, x.container, x.image, x.version, x.statusText, x.lastSeen, x.revoked ? '' : button('Revoke', 'revoke', x.id)]));
          },
          async rules() {
            const p = await api('/policies/runtime'); $('ruleVersion').textContent = 'version ' + p.version;
            fill($('ruleTable'), ['#', 'Name', 'Rule', ''], p.rules.map((r, i) =>
              [i + 1, r.name, pre(JSON.stringify(r)), button('Delete', 'delete-rule', r.name)]));
          },
          async audits() {
            const q = new URLSearchParams({limit: 100});
            if ($('auditApp').value) q.set('appID', $('auditApp').value); if ($('auditType').value) q.set('type', $('auditType').value);
            const a = await api('/audits/runtime?' + q);
            fill($('auditTable'), ['Time', 'App', 'Type', 'Effect', 'Rule', 'Attack', 'Process / domain / IP', 'Message'], a.audits.map(x =>
              [x.time, x.appID, x.type, x.effect, x.rule, x.attackType, x.processPath || x.domain || x.ip, x.msg]));
          },
        };
        const actions = {
          'revoke': id => api('/defenders/' + encodeURIComponent(id) + '/revoke', {method: 'POST'}).then(loaders.defenders),
          'delete-rule': name => api('/policies/runtime/rules/' + encodeURIComponent(name), {method: 'DELETE'}).then(loaders.rules),
        };
        document.addEventListener('click', e => {
          const b = e.target instanceof Element ? e.target.closest('button[data-action]') : null;
          if (b && actions[b.dataset.action]) actions[b.dataset.action](b.dataset.value).catch(err => alert(err.message));
        });
        $('saveRule').addEventListener('click', async () => {
          $('ruleError').textContent = '';
          try { const rule = JSON.parse($('ruleJSON').value);
            const existing = (await api('/policies/runtime')).rules.some(r => r.name === rule.name);
            await api('/policies/runtime/rules' + (existing ? '/' + encodeURIComponent(rule.name) : ''), {method: existing ? 'PUT' : 'POST', body: JSON.stringify(rule)});
            loaders.rules(); } catch (e) { $('ruleError').textContent = e.message; }
        });
        $('auditSearch').addEventListener('click', () => loaders.audits().catch(e => alert(e.message)));
        $('auditCSV').addEventListener('click', async e => { e.preventDefault();
          const r = await fetch('/api/v1/audits/runtime?format=csv&limit=100000', {headers: {'Authorization': 'Bearer ' + sessionStorage.token}});
          const a = document.createElement('a'); a.href = URL.createObjectURL(await r.blob()); a.download = 'runtime-audits.csv'; a.click(); });
        $('loginForm').addEventListener('submit', async e => { e.preventDefault(); $('loginError').textContent = '';
          const r = await fetch('/api/v1/authenticate', {method: 'POST', headers: {'Content-Type': 'application/json'},
            body: JSON.stringify({username: $('user').value, password: $('password').value})});
          const b = await r.json(); if (!r.ok) { $('loginError').textContent = b.error.message; return; }
          sessionStorage.token = b.token; show('defenders'); });
        $('logout').addEventListener('click', () => { delete sessionStorage.token; show('login'); });
        for (const a of document.querySelectorAll('header a[data-view]')) a.addEventListener('click', () => show(a.dataset.view));
        show(sessionStorage.token ? 'defenders' : 'login');
        """#
}
