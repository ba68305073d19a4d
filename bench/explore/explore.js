// The explorer at scale, in a headless Chromium: opens /explore with a view whose expansions
// draw at least NODES nodes, and measures what a person would feel. Run by bench/explore.sh,
// which starts the server; this script only talks to BASE (a 127.0.0.1 address) and aborts
// any request the page makes elsewhere.
//
//   BASE=http://127.0.0.1:PORT NODES=5000 DURATION=5 node bench/explore/explore.js
//
// With ASSETS=DIR, the page and its files (/explore, /explore/FILE) are answered from DIR
// instead of by the server: the explorer as built in a work tree, measured against any build
// of the server.
//
// Prints a Markdown table on standard output and its progress on standard error.
'use strict';

const fs = require('fs');
const path = require('path');
const puppeteer = require('puppeteer-core');

const BASE = process.env.BASE || '';
const NODES = Number(process.env.NODES || 5000);
const DURATION = Number(process.env.DURATION || 5) * 1000;
const CHROMIUM = process.env.CHROMIUM || '/usr/lib/chromium/chromium-headless-shell';
const ASSETS = process.env.ASSETS || '';
const WIDTH = 1280;
const HEIGHT = 900;
// The largest expansion the page offers; the hubs' neighbourhoods are drawn whole.
const LIMIT = 1000;
// Give up on a state the page never reaches.
const PATIENCE = 120000;

if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(BASE)) {
  throw new Error(`BASE must be http://127.0.0.1:PORT, not ${JSON.stringify(BASE)}`);
}

const say = (message) => process.stderr.write(`==> ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value, digits = 0) => Number(value).toFixed(digits);

async function gql(query, variables = {}) {
  const response = await fetch(`${BASE}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

// The view: the best-connected nodes, in order of their number of relationships, expanded
// until their neighbourhoods (as the page will ask for them) hold NODES distinct nodes.
async function chooseHubs() {
  const counts = await gql(`{
    s: relationshipCounts(groupBy: [SUBJECT], first: 1000) { count subject { id } }
    o: relationshipCounts(groupBy: [OBJECT], first: 1000) { count object { id } } }`);
  const degree = new Map();
  for (const { count, subject } of counts.s) degree.set(subject.id, (degree.get(subject.id) || 0) + count);
  for (const { count, object } of counts.o) degree.set(object.id, (degree.get(object.id) || 0) + count);
  const candidates = [...degree].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([id]) => id);

  const nodes = new Set();
  const edges = new Map();
  const hubs = [];
  const query = `query ($id: ID!, $limit: Int!) {
    neighbourhood(node: { id: $id }, depth: 1, limit: $limit) {
      nodes { id } relationships { id subject { id } object { id } } } }`;
  for (let start = 0; start < candidates.length && nodes.size < NODES; start += 8) {
    const batch = candidates.slice(start, start + 8);
    const answers = await Promise.all(batch.map((id) => gql(query, { id, limit: LIMIT })));
    for (let i = 0; i < batch.length && nodes.size < NODES; i++) {
      hubs.push(batch[i]);
      nodes.add(batch[i]);
      for (const node of answers[i].neighbourhood.nodes) nodes.add(node.id);
      for (const rel of answers[i].neighbourhood.relationships) edges.set(rel.id, rel);
    }
  }
  if (nodes.size < NODES) {
    throw new Error(`the ${hubs.length} best-connected nodes reach only ${nodes.size} nodes; raise SCALE`);
  }
  const drawn = [...edges.values()].filter((rel) => nodes.has(rel.subject.id) && nodes.has(rel.object.id));
  return { hubs, nodes: nodes.size, edges: drawn.length };
}

// Installed before the page's own script: counts animation frames and the frames in which
// WebGL drew (a new picture), keeps long tasks, and notes when the page is ready.
function instrument() {
  const probe = {
    frames: 0,
    pictures: 0,
    drew: false,
    lastDraw: 0,
    frameScript: 0,
    longTasks: [],
    readyAt: null,
  };
  window.__bench = probe;
  for (const Context of [window.WebGLRenderingContext, window.WebGL2RenderingContext]) {
    if (!Context) continue;
    for (const name of ['drawArrays', 'drawElements', 'drawArraysInstanced', 'drawElementsInstanced']) {
      const original = Context.prototype[name];
      if (!original) continue;
      Context.prototype[name] = function (...args) {
        probe.drew = true;
        probe.lastDraw = performance.now();
        return original.apply(this, args);
      };
    }
  }
  // The page's own animation-frame callbacks (sigma draws in them) are timed: their
  // JavaScript, and the WebGL commands they issue, is the main thread's part of a frame.
  const animationFrame = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (callback) =>
    animationFrame((time) => {
      const start = performance.now();
      try {
        callback(time);
      } finally {
        probe.frameScript += performance.now() - start;
      }
    });
  const tick = () => {
    probe.frames += 1;
    if (probe.drew) {
      probe.pictures += 1;
      probe.drew = false;
    }
    animationFrame(tick);
  };
  animationFrame(tick);
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) probe.longTasks.push([entry.startTime, entry.duration]);
  }).observe({ type: 'longtask', buffered: true });
  const poll = setInterval(() => {
    const explorer = window.govgraphExplorer;
    if (explorer && explorer.ready && explorer.pending() === 0) {
      probe.readyAt = performance.now();
      clearInterval(poll);
    }
  }, 5);
}

// CPU seconds so far of each Chromium thread that matters, by the browser's process tree:
// the page's main thread, its workers (the layout), the rest of the page's process, the GPU
// process (where SwiftShader draws), and everything else.
function cpuByPart(rootPid) {
  const hz = 100; // USER_HZ on Linux
  const children = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch (_) {
      // gone meanwhile
    }
  }
  const parts = { main: 0, worker: 0, renderer: 0, gpu: 0, other: 0 };
  const visit = (pid) => {
    let type = 'browser';
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const match = /--type=([a-z-]+)/.exec(cmdline);
      if (match) type = match[1];
      for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
        const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const seconds = (Number(fields[11]) + Number(fields[12])) / hz;
        let part = 'other';
        if (type === 'renderer') {
          if (Number(tid) === pid) part = 'main';
          else if (/Worker/i.test(comm)) part = 'worker';
          else part = 'renderer';
        } else if (type === 'gpu-process') {
          part = 'gpu';
        }
        parts[part] += seconds;
      }
    } catch (_) {
      // gone meanwhile
    }
    for (const child of children.get(pid) || []) visit(child);
  };
  visit(rootPid);
  return parts;
}

function cpuDelta(before, after, ms) {
  const share = {};
  for (const part of Object.keys(after)) share[part] = (after[part] - before[part]) / (ms / 1000);
  return share;
}

// What the page did over `ms` milliseconds while `drive` runs: frames, new pictures, long
// tasks, main-thread script time, and CPU by thread.
async function window_(page, client, pid, ms, drive) {
  const metrics = async () => {
    const { metrics } = await client.send('Performance.getMetrics');
    return Object.fromEntries(metrics.map(({ name, value }) => [name, value]));
  };
  const counters = () => ({
    now: performance.now(),
    frames: window.__bench.frames,
    pictures: window.__bench.pictures,
    frameScript: window.__bench.frameScript,
  });
  const before = await page.evaluate(counters);
  const metricsBefore = await metrics();
  const cpuBefore = cpuByPart(pid);
  await drive(ms);
  const after = await page.evaluate(counters);
  const metricsAfter = await metrics();
  const cpuAfter = cpuByPart(pid);
  const elapsed = after.now - before.now;
  const long = await longTasks(page, before.now, after.now);
  return {
    fps: ((after.frames - before.frames) * 1000) / elapsed,
    pictures: ((after.pictures - before.pictures) * 1000) / elapsed,
    // Milliseconds of animation-frame callbacks for each new picture.
    drawing: (after.frameScript - before.frameScript) / Math.max(1, after.pictures - before.pictures),
    script: (metricsAfter.ScriptDuration - metricsBefore.ScriptDuration) / (elapsed / 1000),
    task: (metricsAfter.TaskDuration - metricsBefore.TaskDuration) / (elapsed / 1000),
    cpu: cpuDelta(cpuBefore, cpuAfter, elapsed),
    long,
  };
}

async function longTasks(page, from, to) {
  const tasks = await page.evaluate(
    (from, to) => window.__bench.longTasks.filter(([start]) => start >= from && start < to),
    from,
    to,
  );
  return { count: tasks.length, longest: tasks.reduce((max, [, duration]) => Math.max(max, duration), 0) };
}

// Waits until WebGL has drawn nothing for a second: the layout has stopped.
async function quiet(page) {
  const start = Date.now();
  while (Date.now() - start < PATIENCE) {
    const idle = await page.evaluate(() => performance.now() - window.__bench.lastDraw);
    if (idle > 1000) return (Date.now() - start) / 1000;
    await sleep(200);
  }
  throw new Error('the picture never stopped moving');
}

// A point of the canvas where the pointer is over no node (`overNode` false) or over one.
async function findPoint(page, box, overNode, skip = 0) {
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  for (let i = skip; i < 400 + skip; i++) {
    // A spiral out from the middle.
    const angle = i * 0.5;
    const radius = 4 + i * 1.1;
    const x = cx + Math.cos(angle) * radius;
    const y = cy + Math.sin(angle) * radius * 0.8;
    if (x < box.x + 10 || x > box.x + box.width - 10 || y < box.y + 10 || y > box.y + box.height - 10) continue;
    await page.mouse.move(x, y);
    await sleep(20);
    const pointing = await page.$eval('#canvas', (canvas) => canvas.classList.contains('is-pointing'));
    if (!overNode && !pointing) return { x, y };
    if (overNode && pointing && (await hoverDrawn(page, x - box.x, y - box.y))) return { x, y };
  }
  return null;
}

// Whether sigma has drawn a hovered node (its box and label, on its "hovers" layer) at x, y of
// the canvas: the pointer is on a node, not on an edge.
async function hoverDrawn(page, x, y) {
  for (let i = 0; i < 10; i++) {
    const drawn = await page.evaluate((x, y) => {
      const layer = document.querySelector('#canvas canvas.sigma-hovers');
      if (!layer) return false;
      const ratio = layer.width / layer.clientWidth || 1;
      const pixels = layer.getContext('2d').getImageData(Math.max(0, (x - 4) * ratio), Math.max(0, (y - 4) * ratio), 8 * ratio, 8 * ratio).data;
      for (let a = 3; a < pixels.length; a += 4) if (pixels[a] > 0) return true;
      return false;
    }, x, y);
    if (drawn) return true;
    await sleep(50);
  }
  return false;
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

// The answer from ASSETS to a request for the page or one of its files, or null.
function fromAssets(target) {
  if (!target.startsWith(BASE + '/explore')) return null;
  const { pathname } = new URL(target);
  const file = pathname === '/explore' ? 'index.html' : /^\/explore\/([\w.-]+)$/.exec(pathname)?.[1];
  if (!file || !fs.existsSync(path.join(ASSETS, file))) return null;
  return {
    status: 200,
    contentType: (TYPES[path.extname(file)] || 'application/octet-stream') + '; charset=utf-8',
    body: fs.readFileSync(path.join(ASSETS, file)),
  };
}

// Clicks a node on the canvas (found by moving the pointer until the canvas shows it points at
// something, and trying again when that was an edge), and times it: from the click to the
// side panel in the page, and to the end of the next animation frame after it.
async function selectNode(page, box) {
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = await findPoint(page, box, true, attempt * 37);
    if (!target) return null;
    const at = await page.evaluate(() => {
      const panel = document.getElementById('panel');
      const probe = window.__bench;
      probe.select = { click: null, shown: null, painted: null };
      window.addEventListener('click', (event) => {
        probe.select.click = event.timeStamp;
      }, { capture: true, once: true });
      new MutationObserver((_, observer) => {
        if (!panel.hidden) {
          probe.select.shown = performance.now();
          requestAnimationFrame(() => setTimeout(() => {
            probe.select.painted = performance.now();
          }, 0));
          observer.disconnect();
        }
      }).observe(panel, { attributes: true, attributeFilter: ['hidden'] });
      return performance.now();
    });
    await page.mouse.click(target.x, target.y);
    const shown = await page
      .waitForFunction(
        () => window.__bench.select.painted !== null && window.govgraphExplorer.pending() === 0,
        { polling: 20, timeout: 10000 },
      )
      .then(() => true, () => false);
    if (!shown) {
      say(`the click at ${Math.round(target.x)},${Math.round(target.y)} opened no panel; trying elsewhere`);
      continue;
    }
    const settledAt = await page.evaluate(() => performance.now());
    // A relationship's global ID is base64url of "Relationship:…".
    const selected = await page.evaluate(() => window.govgraphExplorer.state().selected || '');
    const type = Buffer.from(selected.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString().split(':')[0];
    if (type === 'Relationship') {
      await page.click('#close-panel');
      continue;
    }
    const timing = await page.evaluate(() => window.__bench.select);
    return {
      shown: timing.shown - timing.click,
      painted: timing.painted - timing.click,
      long: await longTasks(page, at, settledAt),
      title: await page.$eval('#panel-title', (title) => title.textContent),
    };
  }
  return null;
}

async function main() {
  say(`choosing hubs whose neighbourhoods hold ${NODES} nodes`);
  const view = await chooseHubs();
  const url = `${BASE}/explore?expanded=${view.hubs.join(',')}&limit=${LIMIT}`;
  say(`${view.hubs.length} hubs: ${view.nodes} nodes, ${view.edges} relationships; URL of ${url.length} characters`);

  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: 'shell',
    args: [
      '--no-sandbox',
      '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
      `--window-size=${WIDTH},${HEIGHT}`,
    ],
    defaultViewport: { width: WIDTH, height: HEIGHT },
    protocolTimeout: PATIENCE,
  });
  const pid = browser.process().pid;
  const rows = [];
  let outside = 0;
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(PATIENCE);
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      const target = request.url();
      const own = ASSETS && fromAssets(target);
      if (own) {
        request.respond(own);
      } else if (target.startsWith(BASE + '/') || /^(data|blob):/.test(target)) {
        request.continue();
      } else {
        outside += 1;
        say(`aborted a request to ${target}`);
        request.abort('blockedbyclient');
      }
    });
    const client = await page.createCDPSession();
    await client.send('Performance.enable');
    await page.evaluateOnNewDocument(instrument);

    say('opening the view' + (ASSETS ? ` with the page's files from ${ASSETS}` : ''));
    const opened = await page.goto(url, { waitUntil: 'domcontentloaded' });
    if (!opened.ok()) {
      throw new Error(`${BASE}/explore answers ${opened.status()}: a build from before the explorer? ` +
        'Rebuild it, or serve the page from the work tree with ASSETS=api/assets/explore');
    }
    await page.waitForFunction(() => window.__bench && window.__bench.readyAt !== null, { polling: 50 });
    const load = await page.evaluate(() => {
      const answers = performance
        .getEntriesByType('resource')
        .filter((entry) => entry.name.endsWith('/graphql'));
      return {
        ready: window.__bench.readyAt,
        lastAnswer: Math.max(0, ...answers.map((entry) => entry.responseEnd)),
        requests: answers.length,
      };
    });
    const loadLong = await longTasks(page, 0, load.ready);
    const state = await page.evaluate(() => {
      const { nodes, edges, lastError } = window.govgraphExplorer.state();
      return { nodes: nodes.length, edges: edges.length, lastError };
    });
    const gl = await page.evaluate(() => {
      const gl = document.createElement('canvas').getContext('webgl2');
      const info = gl && gl.getExtension('WEBGL_debug_renderer_info');
      return info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : 'unknown';
    });
    if (state.lastError) throw new Error(`the page says: ${state.lastError}`);
    say(`ready after ${round(load.ready)} ms: ${state.nodes} nodes, ${state.edges} relationships`);
    if (state.nodes !== view.nodes || state.edges !== view.edges) {
      say(`warning: the API's answers hold ${view.nodes} nodes and ${view.edges} relationships`);
    }

    say(`the layout, ${DURATION / 1000} s`);
    const layout = await window_(page, client, pid, DURATION, (ms) => sleep(ms));

    say('waiting for the layout to stop');
    const settled = await quiet(page);

    const canvas = await page.$('#canvas');
    const box = await canvas.boundingBox();
    say(`panning and zooming, ${DURATION / 1000} s`);
    const empty = await findPoint(page, box, false);
    const camera = await window_(page, client, pid, DURATION, async (ms) => {
      const end = Date.now() + ms;
      let zoomIn = true;
      let turn = 0;
      while (Date.now() < end) {
        // A drag from a point on no node pans; a turn of the wheel zooms about the pointer.
        if (empty) {
          await page.mouse.move(empty.x, empty.y);
          await page.mouse.down();
          for (let step = 1; step <= 30 && Date.now() < end; step++) {
            const a = (step / 30) * 2 * Math.PI;
            await page.mouse.move(empty.x + Math.sin(a) * 120, empty.y + (1 - Math.cos(a)) * 60);
          }
          await page.mouse.up();
        }
        for (let step = 0; step < 4 && Date.now() < end; step++) {
          const x = box.x + box.width * (0.3 + 0.4 * ((turn * 7) % 10) / 10);
          const y = box.y + box.height * (0.3 + 0.4 * ((turn * 3) % 10) / 10);
          await page.mouse.move(x, y);
          await page.mouse.wheel({ deltaY: zoomIn ? -240 : 240 });
          await sleep(90);
        }
        zoomIn = !zoomIn;
        turn += 1;
      }
    });
    await quiet(page);

    say('selecting a node');
    const select = await selectNode(page, box);
    if (select) say(`selected ${select.title}`);
    else say('warning: found no node to click');

    const cpuText = (cpu) =>
      `page's main thread ${round(cpu.main * 100)} %, layout worker ${round(cpu.worker * 100)} %, ` +
      `GPU process ${round(cpu.gpu * 100)} %, rest of the page's process ${round(cpu.renderer * 100)} %, ` +
      `browser and others ${round(cpu.other * 100)} %`;
    // The page's own JavaScript for each picture it drew: what a faster GPU does not remove.
    const perPicture = ({ script, pictures }) => (pictures > 0 ? `${round((script * 1000) / pictures, 1)} ms` : 'no picture');
    const longText = ({ count, longest }) => (count ? `${count}, longest ${round(longest)} ms` : 'none');

    rows.push(['nodes / relationships drawn', `${state.nodes} / ${state.edges} (${view.hubs.length} nodes expanded)`]);
    rows.push(['navigation → ready and nothing pending', `${round(load.ready)} ms`]);
    rows.push(['… of which until the last GraphQL answer', `${round(load.lastAnswer)} ms (${load.requests} requests)`]);
    rows.push(['long tasks while loading', longText(loadLong)]);
    rows.push(['layout running: frames/s (new pictures/s)', `${round(layout.fps, 1)} (${round(layout.pictures, 1)})`]);
    rows.push(['layout running: main thread busy / in script', `${round(layout.task * 100)} % / ${round(layout.script * 100)} %`]);
    rows.push(['layout running: script per new picture (of which drawing it)', `${perPicture(layout)} (${round(layout.drawing, 1)} ms)`]);
    rows.push(['layout running: CPU by thread (of one core)', cpuText(layout.cpu)]);
    rows.push(['layout running: long tasks', longText(layout.long)]);
    rows.push(['layout stopped after the measurement', `${round(settled, 1)} s later`]);
    rows.push(['pan and zoom: frames/s (new pictures/s)', `${round(camera.fps, 1)} (${round(camera.pictures, 1)})`]);
    rows.push(['pan and zoom: main thread busy / in script', `${round(camera.task * 100)} % / ${round(camera.script * 100)} %`]);
    rows.push(['pan and zoom: script per new picture (of which drawing it)', `${perPicture(camera)} (${round(camera.drawing, 1)} ms)`]);
    rows.push(['pan and zoom: CPU by thread (of one core)', cpuText(camera.cpu)]);
    rows.push(['pan and zoom: long tasks', longText(camera.long)]);
    if (select) {
      rows.push(['click a node → its side panel in the page', `${round(select.shown)} ms`]);
      rows.push(['click a node → the next frame drawn', `${round(select.painted)} ms`]);
      rows.push(['selecting: long tasks', longText(select.long)]);
    }
    rows.push(['requests aborted (not to 127.0.0.1)', String(outside)]);
    rows.push(['WebGL renderer', gl.replace(/\|/g, '/')]);
  } finally {
    await browser.close();
  }

  process.stdout.write('| measure | value |\n|---|---|\n');
  for (const [name, value] of rows) process.stdout.write(`| ${name} | ${value} |\n`);
  if (outside > 0) {
    say(`${outside} requests went elsewhere than 127.0.0.1`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
