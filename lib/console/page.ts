/**
 * The console page: one self-contained HTML document (no external assets, so it works offline
 * and under a strict CSP). Given a token it lists accounts and servers through the public API.
 * The token lives only in the tab's sessionStorage and is sent only as a bearer header.
 */

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function consolePage(version: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>alicloud-fleet console</title>
<style>
  body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 960px; padding: 0 1rem; color: #1d2129; }
  h1 { font-size: 1.3rem; } h2 { font-size: 1.05rem; margin-top: 1.6rem; }
  form { display: flex; gap: .5rem; } input { flex: 1; padding: .4rem; font: inherit; }
  button { padding: .4rem .9rem; font: inherit; cursor: pointer; }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #e5e6eb; }
  .muted { color: #86909c; } .error { color: #c9353f; } code { font-size: .9em; }
</style>
</head>
<body>
<h1>alicloud-fleet <span class="muted">v${escapeHtml(version)}</span></h1>
<form id="login">
  <input id="token" type="password" autocomplete="off" placeholder="API token (Bearer)" aria-label="API token">
  <button type="submit">Load</button>
</form>
<p id="status" class="muted">Enter a token to list accounts and servers.</p>
<h2>Accounts</h2>
<table><thead><tr><th>Name</th><th>Id</th><th>Credential</th><th>Verification</th></tr></thead><tbody id="accounts"></tbody></table>
<h2>Servers</h2>
<table><thead><tr><th>Name</th><th>Region</th><th>Status</th><th>Stage</th><th>Public IP</th></tr></thead><tbody id="servers"></tbody></table>
<script>
(function () {
  var $ = function (id) { return document.getElementById(id); };
  function text(v) { return v === undefined || v === null ? '' : String(v); }
  function row(cells) {
    var tr = document.createElement('tr');
    cells.forEach(function (c) { var td = document.createElement('td'); td.textContent = text(c); tr.appendChild(td); });
    return tr;
  }
  function fill(id, items, cells, empty) {
    var body = $(id); body.textContent = '';
    if (!items.length) { var tr = row([empty]); tr.className = 'muted'; body.appendChild(tr); return; }
    items.forEach(function (it) { body.appendChild(row(cells(it))); });
  }
  function get(path, token) {
    return fetch(path, { headers: { authorization: 'Bearer ' + token } }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (b) {
        if (!r.ok) throw new Error((b.error && (b.error.code + ': ' + b.error.message)) || ('HTTP ' + r.status));
        return b;
      });
    });
  }
  function load(token) {
    var status = $('status'); status.className = 'muted'; status.textContent = 'Loading…';
    Promise.allSettled([get('/v1/accounts', token), get('/v1/servers', token)]).then(function (res) {
      var problems = [];
      if (res[0].status === 'fulfilled') fill('accounts', res[0].value.items || [], function (a) {
        return [a.name, a.id, a.credential && (a.credential.accessKeyId || a.credential.roleArn), a.verification && a.verification.status];
      }, 'No accounts yet.'); else problems.push('accounts: ' + res[0].reason.message);
      if (res[1].status === 'fulfilled') fill('servers', res[1].value.items || [], function (s) {
        return [s.name, s.regionId, s.status, s.stage, s.resources && s.resources.publicIp];
      }, 'No servers yet.'); else problems.push('servers: ' + res[1].reason.message);
      status.className = problems.length ? 'error' : 'muted';
      status.textContent = problems.length ? problems.join(' · ') : 'Loaded ' + new Date().toLocaleTimeString() + '.';
    });
  }
  $('login').addEventListener('submit', function (e) {
    e.preventDefault();
    var token = $('token').value.trim();
    if (!token) return;
    sessionStorage.setItem('fleet-token', token);
    load(token);
  });
  var saved = sessionStorage.getItem('fleet-token');
  if (saved) { $('token').value = saved; load(saved); }
})();
</script>
</body>
</html>
`;
}
