// Operator dashboard: signs in with an API key (kept in sessionStorage, sent only as the
// X-API-Key header), polls /api/v1/dashboard/summary and draws the tables and SVG graphs.
// No framework, no inline handlers: the page runs under a strict Content-Security-Policy.
"use strict";

(function () {
  const STORAGE_KEY = "nsl.dashboard.apiKey";
  const VIEW_ROLES = ["admin", "operator", "auditor"];
  const SVG = "http://www.w3.org/2000/svg";
  const $ = (id) => document.getElementById(id);
  let me = null;
  let timer = null;
  let polls = 0; // each refresh takes a number; only the latest one renders and re-arms

  // --- HTTP -------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, problem) {
      const title = problem.title || "HTTP " + status;
      super(problem.detail ? title + ": " + problem.detail : title);
      this.status = status;
      this.code = problem.code || "";
    }
  }

  async function api(method, path, body) {
    const headers = { "Accept": "application/json" };
    const key = sessionStorage.getItem(STORAGE_KEY);
    if (key) headers["X-API-Key"] = key;
    const init = { method: method, headers: headers, cache: "no-store", credentials: "omit" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    const text = await response.text();
    let parsed = {};
    try { parsed = text ? JSON.parse(text) : {}; } catch (_) { parsed = { detail: text.slice(0, 200) }; }
    if (!response.ok) throw new ApiError(response.status, parsed);
    return parsed;
  }

  // --- DOM helpers ------------------------------------------------------------------------
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value);
    }
    for (const child of children || []) node.appendChild(child);
    return node;
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function show(id, message) {
    const node = $(id);
    node.textContent = message || "";
    node.hidden = !message;
  }

  function clock(seconds) {
    return new Date(seconds * 1000).toISOString().slice(11, 19);
  }

  function since(iso) {
    if (!iso) return "—";
    const date = new Date(iso);
    return isNaN(date) ? iso : date.toISOString().replace("T", " ").slice(0, 19) + " UTC";
  }

  function format(value, unit) {
    if (value === null || value === undefined) return "—";
    if (unit === "s") {
      if (value < 1) return (value * 1000).toFixed(value < 0.01 ? 2 : 1) + " ms";
      return value.toFixed(value < 100 ? 2 : 0) + " s";
    }
    return value.toFixed(value < 10 ? 2 : 1) + " " + unit;
  }

  // --- sign in / out ----------------------------------------------------------------------
  function showLogin(error) {
    stopPolling();
    polls++;
    me = null;
    $("board").hidden = true;
    $("logout").hidden = true;
    $("who").textContent = "";
    $("login").hidden = false;
    show("login-error", error);
    $("api-key").value = "";
    $("api-key").focus();
  }

  async function signIn() {
    try {
      me = await api("GET", "/api/v1/auth/me");
    } catch (err) {
      sessionStorage.removeItem(STORAGE_KEY);
      showLogin(err.message);
      return;
    }
    if (!me.roles.some((role) => VIEW_ROLES.includes(role))) {
      sessionStorage.removeItem(STORAGE_KEY);
      showLogin("This key's roles (" + me.roles.join(", ") + ") cannot read the dashboard: it needs admin, operator or auditor.");
      return;
    }
    $("login").hidden = true;
    $("board").hidden = false;
    $("logout").hidden = false;
    $("who").textContent = me.name + " · " + me.roles.join(", ");
    for (const node of document.querySelectorAll(".admin-only")) node.hidden = !isAdmin();
    await refresh();
  }

  function isAdmin() {
    return me !== null && me.roles.includes("admin");
  }

  // --- polling ----------------------------------------------------------------------------
  function stopPolling() {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  }

  async function refresh() {
    stopPolling();
    const mine = ++polls;
    let delay = 5;
    try {
      const summary = await api("GET", "/api/v1/dashboard/summary");
      if (mine !== polls) return;
      delay = Math.min(30, Math.max(1, summary.sample_interval_s));
      render(summary);
    } catch (err) {
      if (mine !== polls) return;
      if (err.status === 401) { sessionStorage.removeItem(STORAGE_KEY); showLogin(err.message); return; }
      $("status-line").textContent = "Could not load the summary: " + err.message;
    }
    if (me !== null) timer = setTimeout(refresh, delay * 1000);
  }

  function render(summary) {
    $("status-line").textContent =
      "Updated " + since(summary.generated_at) + " · sampling every " + summary.sample_interval_s +
      " s, keeping " + Math.round(summary.history_s / 60) + " min";
    renderServices(summary.services);
    renderAlerts(summary.alerts, summary.alert_sources);
    renderGraphs(summary.series);
    document.body.setAttribute("data-loaded", summary.generated_at);
  }

  // --- services ---------------------------------------------------------------------------
  function renderServices(services) {
    const body = $("services").tBodies[0];
    body.replaceChildren(...services.map(serviceRow));
  }

  function serviceRow(s) {
    const mode = s.mode ? s.mode + (s.active ? " (" + s.active + ")" : "") : "not here";
    const cells = [
      el("td", { class: "name", text: s.name }),
      el("td", { class: "phase", text: s.phase + " · " + s.phase_name }),
      el("td", { class: "health" }, [el("span", { class: "badge " + s.health, text: s.health })]),
      el("td", { class: "version", text: s.version || "—" }),
      el("td", { class: "flag " + (s.enabled ? "flag-on" : "flag-off"), text: s.enabled ? "on" : "off" }),
      el("td", { class: "mode", text: mode }),
    ];
    if (isAdmin()) {
      const actions = [];
      if (s.required) {
        actions.push(el("span", { class: "required", text: "required", title: "a required service has no flag" }));
      } else {
        const flag = el("button", { type: "button", class: "flag-toggle", text: s.enabled ? "Turn off" : "Turn on" });
        flag.addEventListener("click", () => setFlag(s.name, !s.enabled));
        actions.push(flag);
      }
      const back = el("button", { type: "button", class: "rollback danger", text: "Roll back" });
      back.title = s.standby
        ? "send traffic back to " + s.standby.color + " " + (s.standby.version || "")
        : "nothing on standby here: the server will say why it cannot roll back";
      back.addEventListener("click", () => rollback(s.name));
      actions.push(back);
      cells.push(el("td", { class: "actions" }, actions));
    }
    return el("tr", { "data-service": s.name, "data-health": s.health }, cells);
  }

  async function act(label, method, path, body) {
    show("action-error", "");
    show("action-done", "");
    try {
      await api(method, path, body);
      show("action-done", label + ": done");
    } catch (err) {
      show("action-error", label + " failed — " + err.message + (err.code ? " [" + err.code + "]" : ""));
    }
    await refresh();
  }

  function setFlag(name, enabled) {
    const label = "Turn " + (enabled ? "on " : "off ") + name;
    return act(label, "PUT", "/api/v1/deploy/flags/" + encodeURIComponent(name), { enabled: enabled });
  }

  function rollback(name) {
    if (!window.confirm("Roll " + name + " back to its standby version?")) return undefined;
    return act("Roll back " + name, "POST", "/api/v1/deploy/" + encodeURIComponent(name) + "/rollback");
  }

  // --- alerts -----------------------------------------------------------------------------
  function renderAlerts(alerts, sources) {
    const body = $("alerts").tBodies[0];
    body.replaceChildren(...alerts.map((a) => el("tr", { "data-alert": a.name, "data-source": a.source }, [
      el("td", {}, [el("span", { class: "badge " + a.severity, text: a.severity })]),
      el("td", { text: a.name }),
      el("td", { text: a.summary || "" }),
      el("td", { text: a.source + (a.labels.service ? " · " + a.labels.service : "") }),
      el("td", { text: since(a.started_at) }),
    ])));
    $("alerts").hidden = alerts.length === 0;
    $("no-alerts").hidden = alerts.length !== 0;
    $("alert-sources").textContent = "Sources: " + sources.map((s) =>
      s.source + (s.ok ? " ✓" : " ✗ " + s.error)).join(" · ");
  }

  // --- graphs -----------------------------------------------------------------------------
  const W = 460, H = 190, LEFT = 64, RIGHT = 12, TOP = 22, BOTTOM = 26;

  function renderGraphs(panels) {
    $("graphs").replaceChildren(...panels.map((panel) => {
      const latest = panel.lines.map((line) => {
        const last = line.points.length ? line.points[line.points.length - 1][1] : null;
        return line.label + " " + format(last, panel.unit);
      }).join(" · ");
      return el("div", { class: "panel", "data-panel": panel.id }, [
        el("h3", { text: panel.title }),
        el("div", { class: "latest", text: latest }),
        graph(panel),
      ]);
    }));
  }

  function graph(panel) {
    const root = svg("svg", { class: "graph", viewBox: "0 0 " + W + " " + H, role: "img", "data-panel": panel.id });
    root.appendChild(svg("title", {}, panel.title + " (" + panel.unit + ")"));
    const all = panel.lines.flatMap((line) => line.points);
    const values = all.map((p) => p[1]).filter((v) => v !== null);
    if (all.length === 0) {
      root.appendChild(svg("text", { x: W / 2, y: H / 2, "text-anchor": "middle" }, "collecting: the first point comes after one sampling interval"));
      return root;
    }
    const t0 = Math.min(...all.map((p) => p[0]));
    const t1 = Math.max(...all.map((p) => p[0]));
    const top = niceMax(values.length ? Math.max(...values) : 0);
    const x = (t) => LEFT + (t1 === t0 ? (W - LEFT - RIGHT) : (t - t0) / (t1 - t0) * (W - LEFT - RIGHT));
    const y = (v) => H - BOTTOM - v / top * (H - TOP - BOTTOM);
    for (const fraction of [0.5, 1]) {
      root.appendChild(svg("line", { class: "grid", x1: LEFT, x2: W - RIGHT, y1: y(top * fraction), y2: y(top * fraction) }));
    }
    root.appendChild(svg("line", { class: "axis", x1: LEFT, x2: LEFT, y1: TOP, y2: H - BOTTOM }));
    root.appendChild(svg("line", { class: "axis", x1: LEFT, x2: W - RIGHT, y1: H - BOTTOM, y2: H - BOTTOM }));
    root.appendChild(svg("text", { x: LEFT - 6, y: y(top) + 4, "text-anchor": "end" }, format(top, panel.unit)));
    root.appendChild(svg("text", { x: LEFT - 6, y: y(0) + 4, "text-anchor": "end" }, format(0, panel.unit)));
    root.appendChild(svg("text", { x: LEFT, y: H - 8, "text-anchor": "start" }, clock(t0)));
    root.appendChild(svg("text", { x: W - RIGHT, y: H - 8, "text-anchor": "end" }, clock(t1) + " UTC"));
    panel.lines.forEach((line, index) => {
      const cls = "series-" + (index % 3);
      for (const segment of segments(line.points)) {
        if (segment.length === 1) {
          root.appendChild(svg("circle", { class: cls, cx: x(segment[0][0]), cy: y(segment[0][1]), r: 2.5, "data-line": line.label }));
        } else {
          const points = segment.map((p) => x(p[0]).toFixed(1) + "," + y(p[1]).toFixed(1)).join(" ");
          root.appendChild(svg("polyline", { class: cls, points: points, "data-line": line.label }));
        }
      }
      root.appendChild(svg("text", { class: "legend " + cls, x: LEFT + 8 + index * 90, y: TOP - 8 }, line.label));
    });
    return root;
  }

  // Runs of consecutive points with a value: a null (nothing observed) breaks the line.
  function segments(points) {
    const runs = [];
    let run = [];
    for (const p of points) {
      if (p[1] === null) { if (run.length) runs.push(run); run = []; } else run.push(p);
    }
    if (run.length) runs.push(run);
    return runs;
  }

  function niceMax(value) {
    if (!(value > 0)) return 1;
    const magnitude = Math.pow(10, Math.floor(Math.log10(value)));
    for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * magnitude) return step * magnitude;
    return 10 * magnitude;
  }

  // --- start ------------------------------------------------------------------------------
  document.addEventListener("DOMContentLoaded", () => {
    $("login-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const key = $("api-key").value.trim();
      $("api-key").value = "";
      if (!key) return;
      sessionStorage.setItem(STORAGE_KEY, key);
      signIn();
    });
    $("logout").addEventListener("click", () => {
      sessionStorage.removeItem(STORAGE_KEY);
      showLogin("");
    });
    if (sessionStorage.getItem(STORAGE_KEY)) signIn(); else showLogin("");
  });
})();
