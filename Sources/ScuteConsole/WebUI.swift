/// A small static web UI: log in, then defenders, rules and audits, all through the public API.
enum WebUI {
    static let index = #"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Scute console</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
        body{font-family:system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
        header{background:#1d2330;color:#fff;padding:.7em 1.2em;display:flex;gap:1.2em;align-items:center}
        header a{color:#cfd6e4;cursor:pointer;text-decoration:none} header a.on{color:#fff;font-weight:600}
        main{padding:1.2em} table{border-collapse:collapse;width:100%;background:#fff}
        td,th{border-bottom:1px solid #e3e6ea;padding:.35em .6em;text-align:left;font-size:.92em;vertical-align:top}
        .err{color:#b00020} textarea{width:100%;height:14em;font-family:monospace} .hidden{display:none}
        input,button,select{font-size:1em;margin:.2em}
        </style></head><body>
        <header><b>Scute</b><a data-view="defenders">Defenders</a><a data-view="rules">Runtime rules</a>
        <a data-view="audits">Audits</a><span style="flex:1"></span><a id="logout">Log out</a></header>
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

    static let script = #"""
        const api = (path, opts = {}) => fetch('/api/v1' + path, {...opts, headers: {'Authorization': 'Bearer ' + sessionStorage.token,
          'Content-Type': 'application/json', ...(opts.headers || {})}}).then(async r => {
          if (r.status === 401) { show('login'); throw new Error('log in again'); }
          const text = await r.text(); const body = text && r.headers.get('content-type').includes('json') ? JSON.parse(text) : text;
          if (!r.ok) throw new Error(body.error ? body.error.message : r.statusText); return body; });
        const esc = s => String(s ?? '').replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
        const row = (cells, tag = 'td') => '<tr>' + cells.map(c => `<${tag}>${c}</${tag}>`).join('') + '</tr>';
        function show(view) {
          for (const s of document.querySelectorAll('main section')) s.classList.toggle('hidden', s.id !== view);
          for (const a of document.querySelectorAll('header a[data-view]')) a.classList.toggle('on', a.dataset.view === view);
          if (view !== 'login') loaders[view]().catch(e => alert(e.message));
        }
        const loaders = {
          async defenders() {
            const d = await api('/defenders');
            defTable.innerHTML = row(['ID','App','Task family','Container','Image','Version','Status','Last seen',''], 'th') + d.defenders.map(x =>
              row([esc(x.id), esc(x.appID), esc(x.taskFamily), esc(x.container), esc(x.image), esc(x.version), esc(x.statusText), esc(x.lastSeen),
                x.revoked ? '' : `<button onclick="revoke('${encodeURIComponent(x.id)}')">Revoke</button>`])).join('');
          },
          async rules() {
            const p = await api('/policies/runtime'); ruleVersion.textContent = 'version ' + p.version;
            ruleTable.innerHTML = row(['#','Name','Rule',''], 'th') + p.rules.map((r, i) => row([i + 1, esc(r.name),
              '<pre>' + esc(JSON.stringify(r)) + '</pre>', `<button onclick="delRule('${encodeURIComponent(r.name)}')">Delete</button>`])).join('');
          },
          async audits() {
            const q = new URLSearchParams({limit: 100}); if (auditApp.value) q.set('appID', auditApp.value); if (auditType.value) q.set('type', auditType.value);
            const a = await api('/audits/runtime?' + q);
            auditTable.innerHTML = row(['Time','App','Type','Effect','Rule','Attack','Process / domain / IP','Message'], 'th') + a.audits.map(x =>
              row([esc(x.time), esc(x.appID), esc(x.type), esc(x.effect), esc(x.rule), esc(x.attackType),
                esc(x.processPath || x.domain || x.ip), esc(x.msg)])).join('');
          },
        };
        window.revoke = id => api('/defenders/' + id + '/revoke', {method: 'POST'}).then(loaders.defenders).catch(e => alert(e.message));
        window.delRule = n => api('/policies/runtime/rules/' + n, {method: 'DELETE'}).then(loaders.rules).catch(e => alert(e.message));
        saveRule.onclick = async () => {
          ruleError.textContent = '';
          try { const rule = JSON.parse(ruleJSON.value);
            const existing = (await api('/policies/runtime')).rules.some(r => r.name === rule.name);
            await api('/policies/runtime/rules' + (existing ? '/' + encodeURIComponent(rule.name) : ''), {method: existing ? 'PUT' : 'POST', body: JSON.stringify(rule)});
            loaders.rules(); } catch (e) { ruleError.textContent = e.message; }
        };
        auditSearch.onclick = () => loaders.audits().catch(e => alert(e.message));
        auditCSV.onclick = async e => { e.preventDefault();
          const r = await fetch('/api/v1/audits/runtime?format=csv&limit=100000', {headers: {'Authorization': 'Bearer ' + sessionStorage.token}});
          const a = document.createElement('a'); a.href = URL.createObjectURL(await r.blob()); a.download = 'runtime-audits.csv'; a.click(); };
        loginForm.onsubmit = async e => { e.preventDefault(); loginError.textContent = '';
          const r = await fetch('/api/v1/authenticate', {method: 'POST', headers: {'Content-Type': 'application/json'},
            body: JSON.stringify({username: user.value, password: password.value})});
          const b = await r.json(); if (!r.ok) { loginError.textContent = b.error.message; return; }
          sessionStorage.token = b.token; show('defenders'); };
        logout.onclick = () => { delete sessionStorage.token; show('login'); };
        for (const a of document.querySelectorAll('header a[data-view]')) a.onclick = () => show(a.dataset.view);
        show(sessionStorage.token ? 'defenders' : 'login');
        """#
}
