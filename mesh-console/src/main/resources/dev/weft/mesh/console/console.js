(function () {
  'use strict';

  var base = location.pathname.replace(/\/index\.html$/, '').replace(/\/+$/, '');
  var stateUrl = base + '/state';
  var POLL_MILLIS = 1000;
  var lastOk = 0;

  // Every value from the mesh goes into the page as text (textContent), never as markup.
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'text') e.textContent = String(v);
        else if (k === 'cls') e.className = v;
        else if (k === 'style') e.style.cssText = v;
        else e.setAttribute(k, String(v));
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }

  function replace(id, nodes) {
    var target = document.getElementById(id);
    while (target.firstChild) target.removeChild(target.firstChild);
    nodes.forEach(function (n) { if (n) target.appendChild(n); });
  }

  function table(head, rows, numeric) {
    var tr = el('tr', null, head.map(function (h, i) {
      return el('th', { text: h, cls: numeric && numeric[i] ? 'num' : null });
    }));
    return el('div', { cls: 'scroll' }, [el('table', null, [el('thead', null, [tr]), el('tbody', null, rows)])]);
  }

  function cell(col, text, cls) {
    return el('td', { 'data-col': col, text: text, cls: cls || null });
  }

  function fmt(n, digits) {
    if (n === null || n === undefined) return '\u2013';
    return Number(n).toFixed(digits);
  }

  function pct(rate) {
    if (rate === null || rate === undefined) return '\u2013';
    return (rate * 100).toFixed(rate >= 0.9995 || rate === 0 ? 0 : 1) + '%';
  }

  function rateClass(rate) {
    if (rate === null || rate === undefined) return 'muted';
    return rate >= 0.99 ? 'ok' : rate >= 0.95 ? 'warn' : 'bad';
  }

  function ms(v) {
    if (v === null || v === undefined) return '\u2013';
    return v < 10 ? v.toFixed(2) + ' ms' : v < 100 ? v.toFixed(1) + ' ms' : Math.round(v) + ' ms';
  }

  function matchText(match) {
    if (!match) return '';
    var parts = [match.path];
    if (match.methods) parts.push(match.methods.join(','));
    if (match.headers) parts.push('headers: ' + match.headers.join('; '));
    return parts.join('  \u00b7  ');
  }

  function renderServices(s) {
    var services = s.services || [];
    document.getElementById('window-note').textContent =
      'golden metrics over the last ' + s.windowSeconds + ' s';
    if (services.length === 0) {
      replace('services', [el('p', { cls: 'empty', text: 'No services in the configuration in force.' })]);
      return;
    }
    replace('services', services.map(function (svc) {
      var routes = (svc.routes || []).map(function (r) {
        var ds = r.destinations || [];
        var bar = el('div', { cls: 'split', 'data-service': svc.name, 'data-route': r.name },
          ds.map(function (d, i) {
            return el('div', {
              cls: 's' + (i % 6), style: 'width:' + d.percent + '%',
              title: d.target + ' ' + d.percent + '%',
              text: d.percent >= 8 ? d.target + ' ' + d.percent + '%' : ''
            });
          }));
        var rows = ds.map(function (d, i) {
          var m = d.metrics || {};
          return el('tr', { cls: 'dest', 'data-service': svc.name, 'data-route': r.name, 'data-target': d.target }, [
            el('td', { 'data-col': 'target', cls: 'mono' }, [el('span', { cls: 'swatch s' + (i % 6) }), d.target]),
            cell('weight', String(d.weight), 'num'),
            cell('percent', fmt(d.percent, 1) + '%', 'num'),
            cell('observed', d.observedPercent === null ? '\u2013' : fmt(d.observedPercent, 1) + '%', 'num'),
            cell('rps', fmt(m.rps, 1), 'num'),
            cell('success', pct(m.successRate), 'num ' + rateClass(m.successRate)),
            cell('attemptSuccess', pct(m.attemptSuccessRate), 'num ' + rateClass(m.attemptSuccessRate)),
            cell('p50', ms(m.p50Millis), 'num'),
            cell('p99', ms(m.p99Millis), 'num')
          ]);
        });
        var extras = [];
        if (r.timeout) extras.push('timeout ' + r.timeout);
        if (r.retry) extras.push('retry \u00d7' + r.retry.maxAttempts + ' on ' + r.retry.retryOn.join(','));
        if (r.hedging) extras.push('hedging \u00d7' + r.hedging.maxAttempts);
        if (r.fault) extras.push('fault ' + Object.keys(r.fault).map(function (k) { return k + ' ' + r.fault[k]; }).join(', '));
        if (r.mirrors) extras.push('mirror ' + r.mirrors.join(', '));
        if (r.rateLimit) extras.push('rate limit ' + r.rateLimit);
        return el('div', { cls: 'route' }, [
          el('div', { cls: 'route-head' }, [
            el('span', { cls: 'route-name', text: r.name }),
            el('span', { cls: 'mono muted', text: matchText(r.match) }),
            extras.length ? el('span', { cls: 'muted', text: extras.join('  \u00b7  ') }) : null
          ]),
          bar,
          table(['destination', 'weight', 'split', 'observed', 'req/s', 'success', 'per attempt', 'p50', 'p99'], rows,
            [false, true, true, true, true, true, true, true, true])
        ]);
      });
      return el('div', { cls: 'service', 'data-service': svc.name }, [
        el('h3', null, [svc.name, svc.implicit ? el('span', { cls: 'tag', text: 'cluster called by name' }) : null])
      ].concat(routes));
    }));
  }

  function healthClass(e) {
    if (e.ejected) return 'bad';
    return e.health === 'healthy' ? 'ok' : e.health === 'unknown' ? 'muted' : e.health === 'degraded' ? 'warn' : 'bad';
  }

  function renderClusters(s) {
    var clusters = s.clusters || [];
    if (clusters.length === 0) {
      replace('clusters', [el('p', { cls: 'empty', text: 'No clusters.' })]);
      return;
    }
    replace('clusters', clusters.map(function (c) {
      var cb = c.circuitBreakers || {};
      var rb = c.retryBudget || {};
      var facts = [c.loadBalancing, 'tls ' + c.tls, 'outlier detection ' + c.outlierDetection,
        'requests ' + cb.activeRequests + '/' + cb.maxRequests,
        'retry budget ' + (rb.balance === undefined ? '\u2013' : Number(rb.balance).toFixed(1))];
      var rows = (c.endpoints || []).map(function (e) {
        return el('tr', { cls: 'endpoint', 'data-cluster': c.name, 'data-address': e.address }, [
          cell('address', e.address, 'mono'),
          cell('weight', String(e.weight), 'num'),
          cell('effectiveWeight', String(e.effectiveWeight), 'num'),
          cell('priority', String(e.priority), 'num'),
          cell('locality', e.locality && e.locality.replace(/\//g, '') ? e.locality : '\u2013', 'muted'),
          el('td', { 'data-col': 'health' }, [el('span', { cls: 'pill ' + healthClass(e), text: e.health })]),
          el('td', { 'data-col': 'ejected' }, [el('span', {
            cls: e.ejected ? 'pill bad' : 'muted',
            text: e.ejected ? 'ejected' + (e.ejections ? ' (' + e.ejections + '\u00d7)' : '') : (e.ejections ? 'no (' + e.ejections + '\u00d7)' : 'no')
          })]),
          cell('activeRequests', String(e.activeRequests), 'num'),
          cell('ewma', ms(e.latencyEwmaMillis), 'num')
        ]);
      });
      return el('div', { cls: 'cluster', 'data-cluster': c.name }, [
        el('h3', null, [c.name, el('span', { cls: 'tag', text: facts.join(' \u00b7 ') })]),
        table(['endpoint', 'weight', 'effective', 'priority', 'locality', 'health', 'ejected', 'active', 'EWMA latency'], rows,
          [false, true, true, true, false, false, false, true, true])
      ]);
    }));
  }

  function stateClass(state) {
    var s = String(state).toLowerCase();
    if (s.indexOf('roll') >= 0 || s.indexOf('fail') >= 0) return 'pill bad';
    if (s.indexOf('promot') >= 0 || s.indexOf('healthy') >= 0) return 'pill ok';
    return 'pill warn';
  }

  function renderCanaries(s) {
    var c = s.canaries || { items: [] };
    var nodes = [];
    if (c.error) nodes.push(el('p', { cls: 'bad', text: c.error }));
    if (!c.items.length) {
      nodes.push(el('p', { cls: 'empty', text: c.guarded ? 'No route is guarded.' : 'No canary guard in this process.' }));
      replace('canaries', nodes);
      return;
    }
    var rows = c.items.map(function (g) {
      return el('tr', { cls: 'canary', 'data-service': g.service, 'data-route': g.route }, [
        cell('route', g.service + ' / ' + g.route, 'mono'),
        cell('baseline', g.baseline, 'mono'),
        cell('canary', g.canary, 'mono'),
        el('td', { 'data-col': 'state' }, [el('span', { cls: stateClass(g.state), text: g.state })]),
        cell('canaryPercent', fmt(g.canaryPercent, 1) + '%', 'num'),
        cell('configuredPercent', fmt(g.configuredPercent, 1) + '%', 'num'),
        el('td', { 'data-col': 'verdict', cls: 'wrap' }, [
          g.verdict || '\u2013',
          g.history.length ? el('ul', { cls: 'history' }, g.history.slice(0, 5).map(function (h) {
            return el('li', { text: h.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z') + '  ' + h.kind + ': ' + h.detail });
          })) : null
        ])
      ]);
    });
    nodes.push(table(['route', 'baseline', 'canary', 'state', 'canary share', 'configured', 'verdict and history'], rows,
      [false, false, false, false, true, true, false]));
    replace('canaries', nodes);
  }

  function renderConfig(s) {
    var m = s.mesh || {};
    document.getElementById('mesh-name').textContent = m.mesh || '\u2013';
    document.getElementById('config-version').textContent = m.version || '(none yet)';
    document.getElementById('config-source').textContent = m.source || '\u2013';
    var kv = el('dl', { cls: 'kv' }, []);
    function put(k, v, cls) {
      if (v === null || v === undefined || v === '') return;
      kv.appendChild(el('dt', { text: k }));
      kv.appendChild(el('dd', { text: typeof v === 'object' ? JSON.stringify(v) : String(v), cls: cls || null }));
    }
    put('version', m.version || '(none yet)');
    put('applied at', m.appliedAt);
    put('source', m.source);
    put('startup mode', m.startupMode);
    put('awaiting', m.awaiting);
    if (m.sourceStatus) Object.keys(m.sourceStatus).forEach(function (k) { put('source ' + k, m.sourceStatus[k]); });
    put('last error', m.lastError, 'bad');
    var rows = (s.configUpdates || []).map(function (u) {
      return el('tr', { cls: 'update', 'data-accepted': String(u.accepted) }, [
        cell('time', u.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), 'muted'),
        cell('version', u.version || '\u2013', 'mono'),
        el('td', { 'data-col': 'result' }, [el('span', { cls: u.accepted ? 'pill ok' : 'pill bad', text: u.accepted ? 'applied' : 'rejected' })]),
        cell('detail', u.detail, 'wrap')
      ]);
    });
    replace('config', [kv, el('h3', { text: 'Recent updates' }),
      rows.length ? table(['time', 'version', 'result', 'detail'], rows) : el('p', { cls: 'empty', text: 'None yet.' })]);
  }

  function renderDenials(s) {
    var d = s.denials || { items: [] };
    var nodes = [];
    if (d.error) nodes.push(el('p', { cls: 'bad', text: d.error }));
    if (!d.audited) {
      nodes.push(el('p', { cls: 'empty', text: 'Authorization decisions are not audited to the console.' }));
    } else if (!d.items.length) {
      nodes.push(el('p', { cls: 'empty', text: 'No denials.' }));
    } else {
      nodes.push(table(['time', 'service', 'caller', 'method', 'path', 'policy', 'reason'], d.items.slice(0, 50).map(function (x) {
        return el('tr', { cls: 'denial' }, [
          cell('time', x.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), 'muted'),
          cell('service', x.service || '\u2013'),
          cell('caller', x.caller || '(unauthenticated)', 'mono'),
          cell('method', x.method, 'mono'),
          cell('path', x.path, 'mono'),
          cell('policy', x.policy ? x.policy + (x.rule >= 0 ? ' #' + x.rule : '') : x.basis),
          cell('reason', x.reason, 'wrap')
        ]);
      })));
    }
    replace('denials', nodes);
  }

  function render(s) {
    renderConfig(s);
    renderServices(s);
    renderClusters(s);
    renderCanaries(s);
    renderDenials(s);
  }

  function markLive() {
    var live = document.getElementById('live');
    var age = lastOk ? (Date.now() - lastOk) / 1000 : Infinity;
    var ok = age < 5;
    live.className = 'live ' + (ok ? 'ok' : 'stale');
    live.textContent = !lastOk ? 'connecting\u2026' : ok ? 'live' : 'no answer for ' + Math.round(age) + ' s';
  }

  function poll() {
    fetch(stateUrl, { cache: 'no-store', credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      .then(function (s) {
        lastOk = Date.now();
        render(s);
        document.body.setAttribute('data-version', (s.mesh && s.mesh.version) || '');
        document.body.setAttribute('data-generated', s.generatedAt || '');
      })
      .catch(function () { /* shown by the live badge */ })
      .then(function () {
        markLive();
        setTimeout(poll, POLL_MILLIS);
      });
  }

  poll();
})();
