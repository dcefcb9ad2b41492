/* jeelinky: the plugin page's buttons. Each one posts to core/ajax/jeelinky.ajax.php, which calls
 * the runner's CLI; this file only shows what the runner answered. */
'use strict'

const JEELINKY_AJAX = 'plugins/jeelinky/core/ajax/jeelinky.ajax.php'

function jeelinkyEscape(text) {
  return String(text == null ? '' : text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c])
}

function jeelinkyDate(iso) {
  if (!iso) return '—'
  const d = new Date(iso)
  return isNaN(d) ? jeelinkyEscape(iso) : d.toLocaleString('fr-FR')
}

/** POSTs one action; resolves with the result, rejects with Jeedom's message. */
async function jeelinkyCall(action) {
  const body = new FormData()
  body.append('action', action)
  const res = await fetch(JEELINKY_AJAX, { method: 'POST', body, credentials: 'same-origin' })
  const data = await res.json()
  if (data.state !== 'ok') throw new Error(data.result || 'Erreur')
  return data.result
}

function jeelinkyEach(selector, fn) {
  document.querySelectorAll(selector).forEach(fn)
}

function jeelinkyMessage(text, level) {
  if (typeof jeedomUtils !== 'undefined' && jeedomUtils.showAlert) jeedomUtils.showAlert({ message: text, level: level || 'info' })
}

const JEELINKY_KIND_NAMES = {
  daily_consumption: 'Consommation journalière',
  max_power: 'Puissance maximale',
  load_curve: 'Courbe de charge',
  daily_production: 'Production journalière',
  production_load_curve: 'Courbe de production',
}

/** The runner's `status --json` as a table: pairing, token expiry, newest day per kind, retry, backfill, gaps. */
function jeelinkyRenderState(s) {
  let html = '<table class="table table-condensed table-bordered jeelinkyStateTable">'
  html += '<tr><th>Compteur (PDL)</th><td class="jeelinkyPdl">' + (s.paired ? jeelinkyEscape(s.usagePoint || (s.usagePoints || []).join(', ')) : 'Non associé') + '</td></tr>'
  html += '<tr><th>Jeton valable jusqu\'au</th><td>' + jeelinkyDate(s.accessTokenExpiresAt) + '</td></tr>'
  html += '<tr><th>Relevé quotidien</th><td>' + jeelinkyEscape(s.dailyTime || '—') + (s.lastDailyDay ? ' (dernier le ' + jeelinkyEscape(s.lastDailyDay) + ')' : '') + '</td></tr>'
  html += '<tr><th>Nouvel essai prévu</th><td>' + (s.pendingRetry ? jeelinkyDate(s.pendingRetry.retryAt) + ' — ' + jeelinkyEscape(s.pendingRetry.reason) : 'Aucun') + '</td></tr>'
  html += '<tr><th>Appels Enedis aujourd\'hui</th><td>' + jeelinkyEscape(s.callsToday ? s.callsToday.metering : 0) + '</td></tr>'
  html += '</table>'
  if (s.kinds && s.kinds.length) {
    const gaps = {}
    for (const g of s.gaps || []) gaps[g.kind] = g
    html += '<table class="table table-condensed table-bordered"><thead><tr><th>Donnée</th><th>Dernier jour</th><th>Historique rattrapé</th><th>Jours manquants</th></tr></thead><tbody>'
    for (const k of s.kinds) {
      const g = gaps[k.kind]
      let progress = '—'
      let missing = '—'
      if (g) {
        const total = Object.values(g.counts).reduce((a, b) => a + b, 0) - (g.counts.before_history || 0)
        const done = g.counts.complete || 0
        progress = total ? Math.round((100 * done) / total) + ' % (' + done + '/' + total + ' jours)' : '—'
        missing = String((g.counts.never_asked || 0) + (g.counts.retrying || 0) + (g.counts.blacklisted || 0))
      }
      html += '<tr><td>' + jeelinkyEscape(JEELINKY_KIND_NAMES[k.kind] || k.kind) + (k.enabled ? '' : ' (non relevée)') + '</td><td>' + jeelinkyEscape(k.lastDay || '—') + '</td><td>' + progress + '</td><td>' + missing + '</td></tr>'
    }
    html += '</tbody></table>'
  }
  jeelinkyEach('.jeelinkyState', (el) => { el.innerHTML = html })
}

async function jeelinkyRefresh() {
  try {
    jeelinkyRenderState(await jeelinkyCall('status'))
  } catch (e) {
    jeelinkyEach('.jeelinkyState', (el) => { el.innerHTML = '<div class="alert alert-warning">' + jeelinkyEscape(e.message) + '</div>' })
  }
}

/** "Associer mon compteur": the address and code, then the wait for the consent, then the PDL and token expiry. */
async function jeelinkyPair() {
  const show = (html, cls) => jeelinkyEach('.jeelinkyPairing', (el) => { el.className = 'jeelinkyPairing alert ' + (cls || 'alert-info'); el.style.display = ''; el.innerHTML = html })
  try {
    show('<i class="fas fa-spinner fa-spin"></i> Demande d\'appairage…')
    const r = await jeelinkyCall('pairStart')
    const p = r.pairing || r
    const url = p.verificationUriComplete || p.verificationUri || ''
    show('Ouvrez <a href="' + jeelinkyEscape(url) + '" target="_blank" rel="noopener">' + jeelinkyEscape(url) + '</a> et saisissez le code <b class="jeelinkyCode">' + jeelinkyEscape(p.userCode || '') + '</b>, puis donnez votre consentement sur le site d\'Enedis.<br><i class="fas fa-spinner fa-spin"></i> En attente du consentement…')
    const s = await jeelinkyCall('pairWait')
    show('Compteur associé : <b>' + jeelinkyEscape(s.usagePoint || (s.usagePoints || []).join(', ')) + '</b> — jeton valable jusqu\'au ' + jeelinkyDate(s.accessTokenExpiresAt), 'alert-success')
    jeelinkyRenderState(s)
  } catch (e) {
    show(jeelinkyEscape(e.message), 'alert-danger')
  }
}

async function jeelinkyFetch() {
  jeelinkyMessage('Relevé en cours…')
  try {
    const r = await jeelinkyCall('fetchNow')
    jeelinkyMessage(r.code === 0 ? 'Relevé terminé' : 'Relevé en échec : ' + jeelinkyEscape(r.message), r.code === 0 ? 'success' : 'warning')
  } catch (e) {
    jeelinkyMessage(jeelinkyEscape(e.message), 'danger')
  }
  jeelinkyRefresh()
}

document.addEventListener('click', (event) => {
  if (event.target.closest('.jeelinkyPair')) jeelinkyPair()
  else if (event.target.closest('.jeelinkyFetch')) jeelinkyFetch()
  else if (event.target.closest('.jeelinkyRefresh')) jeelinkyRefresh()
})
jeelinkyRefresh()

/** The commands tab (plugin.template.js calls it for each command). */
function addCmdToTable(_cmd) {
  if (!_cmd) _cmd = { configuration: {} }
  const tr = document.createElement('tr')
  tr.className = 'cmd'
  tr.setAttribute('data-cmd_id', _cmd.id || '')
  tr.innerHTML =
    '<td><span class="cmdAttr" data-l1key="id"></span></td>' +
    '<td><input class="cmdAttr form-control input-sm" data-l1key="name"></td>' +
    '<td><span class="cmdAttr" data-l1key="logicalId"></span></td>' +
    '<td><span class="cmdAttr" data-l1key="type"></span> / <span class="cmdAttr" data-l1key="subType"></span></td>' +
    '<td><span class="cmdAttr" data-l1key="unite"></span></td>' +
    '<td><label class="checkbox-inline"><input type="checkbox" class="cmdAttr" data-l1key="isVisible"/>Afficher</label> ' +
    '<label class="checkbox-inline"><input type="checkbox" class="cmdAttr" data-l1key="isHistorized"/>Historiser</label></td>' +
    '<td><span class="cmdAttr" data-l1key="htmlstate"></span></td>' +
    '<td>' + (_cmd.id ? '<a class="btn btn-default btn-xs cmdAction" data-action="configure"><i class="fas fa-cogs"></i></a>' : '') + '</td>'
  document.querySelector('#table_cmd tbody').appendChild(tr)
  if (typeof tr.setJeeValues === 'function') tr.setJeeValues(_cmd, '.cmdAttr')
  else if (typeof jQuery !== 'undefined') jQuery(tr).setValues(_cmd, '.cmdAttr')
}
