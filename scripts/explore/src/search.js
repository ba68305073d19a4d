// The search box: a search runs once typing pauses and lists its hits as buttons; Enter (or
// the Search button) puts the first hit on the canvas, searching first if need be.

import * as api from './api.js';
import { renderResults } from './lists.js';

const PAUSE_MS = 250;

// `elements`: { form, input, kind, results, count }. `hooks`: onChoose(node) puts a node on
// the canvas (returns a promise); onFound(nodes) learns the hits' names; say / sayError
// write the status line; begin / end count the work under way (a waiting search included).
export function createSearch(elements, hooks) {
  const state = { key: null, edges: null, token: 0, timer: null };
  const keyOf = (text) => text + '\u0000' + elements.kind.value;

  async function run(text) {
    const token = ++state.token;
    const kind = elements.kind.value;
    try {
      const edges = await api.search(text, kind ? [kind] : null);
      if (token !== state.token) return null;
      hooks.onFound(edges.map((edge) => edge.node));
      state.key = keyOf(text);
      state.edges = edges;
      renderResults(elements.results, edges, hooks.onChoose);
      elements.count.textContent = `(${edges.length})`;
      return edges;
    } catch (error) {
      if (token === state.token) hooks.sayError('search failed: ' + error.message);
      return null;
    }
  }

  function cancelWaiting() {
    if (state.timer) {
      clearTimeout(state.timer);
      state.timer = null;
      hooks.end();
    }
  }

  function onInput() {
    cancelWaiting();
    const text = elements.input.value.trim();
    if (!text) {
      state.token += 1;
      state.key = null;
      state.edges = null;
      renderResults(elements.results, null, hooks.onChoose);
      elements.count.textContent = '';
      return;
    }
    hooks.begin();
    state.timer = setTimeout(() => {
      state.timer = null;
      hooks.end();
      run(text);
    }, PAUSE_MS);
  }

  async function onSubmit(event) {
    event.preventDefault();
    const text = elements.input.value.trim();
    if (!text) return;
    cancelWaiting();
    hooks.begin();
    try {
      const edges = state.key === keyOf(text) && state.edges ? state.edges : await run(text);
      if (edges && edges.length > 0) await hooks.onChoose(edges[0].node);
      else if (edges) hooks.say(`Nothing found for “${text}”.`);
    } finally {
      hooks.end();
    }
  }

  elements.form.addEventListener('submit', onSubmit);
  elements.input.addEventListener('input', onInput);
  elements.kind.addEventListener('change', onInput);
}
