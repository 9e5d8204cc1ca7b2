// The lessons' recorded walks, stepping as soon as a lesson opens in the JupyterLite site: a JupyterLab
// plugin in plain JavaScript (a prebuilt extension, as scripts/lite_lessons.js), written into the site by
// scripts/build_site.py.
//
// The site's lessons carry their steppers' and pictures' widget state (build_site.py runs them and stores it under
// a key of the kit's, which JupyterLab's widget manager leaves alone): each stepper's picture holds its
// whole walk (the "replay" trait, widgets/recorded.py) and the picture laid out in Python; a plain picture
// (draw(g)) its DOT text and numbers. JupyterLab's
// widget manager shows that state only once the kernel is ready, 12-30 s into a lesson in the browser's
// Python. So, as a lesson opens, this plugin draws each stepper's saved output itself: the stepper's
// buttons, label and panel as plain elements with the classes the kit gives them, and the picture drawn by
// the kit's own front end (the "_esm" of the saved state) on a small stand-in model. That front end sees
// no kernel behind the picture and steps the recorded walk (static/frontend.js, its replay section), as it
// does in a notebook reopened without a kernel. Given the WebAssembly Graphviz (as the kernel gives it), that
// front end keeps the layout recorded in Python where it opens whole in its cell, and otherwise chooses the layout
// as the live picture does (top to bottom, or wrapped into rows); the walk's patches apply to either. Running
// the cell replaces it with the live widget.

// In a function of its own: the site's plain scripts share one global scope.
(() => {
  const NAME = 'backprop-widgets-walks';
  const KEY = 'backprop_widgets_walks'; // the lesson's widget state, as build_site.py stores it
  const VIEW = 'application/vnd.jupyter.widget-view+json';
  const REGISTRY = '__backprop_widgets_walks'; // not the live widgets' registry: theirs waits for the kernel's
  const REF = 'IPY_MODEL_';
  const GRAPHVIZ = 'graphviz'; // the message that brings the WebAssembly Graphviz (render/protocol.py, MESSAGES)
  // The WebAssembly Graphviz, beside this script in the site (build_site.py copies the kit's): with it a picture
  // chooses its layout for its cell as the live widget does (direction, wrapped rows), and a plain picture is drawn.
  const GRAPHVIZ_URL = document.currentScript ? new URL('graphviz.js', document.currentScript.src).href : null;
  let graphvizCode = null;
  // The site's own lessons (its files/ folder, three folders above this script): a lesson's walks are read from the
  // site's copy of it, never from the notebook opened. A notebook from elsewhere (one a student uploads) could
  // carry script in a saved widget state; the site's copies are the kit's, written by build_site.py.
  const FILES_URL = document.currentScript ? new URL('../../../files/', document.currentScript.src).href : null;

  async function shippedWalks(path) {
    if (!FILES_URL || !path.endsWith('.ipynb')) return null;
    try {
      const response = await fetch(new URL(path.split('/').map(encodeURIComponent).join('/'), FILES_URL));
      return response.ok ? ((await response.json()).metadata || {})[KEY] || null : null;
    } catch {
      return null; // not one of the site's lessons: drawn when its kernel runs, as any notebook
    }
  }

  function graphviz() {
    graphvizCode ??= GRAPHVIZ_URL
      ? fetch(GRAPHVIZ_URL).then(r => (r.ok ? r.text() : null)).catch(() => null)
      : Promise.resolve(null);
    return graphvizCode;
  }

  // A widget model as the kit's front end uses it (get, set, on, off, send), over one model's saved state.
  class StandIn {
    constructor(state) {
      this.state = { ...state };
      this.listeners = new Map();
    }
    get(name) {
      return this.state[name];
    }
    set(name, value) {
      const changes = typeof name === 'object' ? name : { [name]: value };
      Object.assign(this.state, changes);
      for (const key of Object.keys(changes)) this.emit(`change:${key}`, changes[key]);
      this.emit('change');
    }
    on(event, callback) {
      if (!this.listeners.has(event)) this.listeners.set(event, new Set());
      this.listeners.get(event).add(callback);
    }
    off(event, callback) {
      this.listeners.get(event)?.delete(callback);
    }
    emit(event, ...args) {
      for (const callback of [...(this.listeners.get(event) || [])]) callback(...args);
    }
    send() {} // no kernel to tell
    save_changes() {}
  }

  // The kit's front end (frontend.js as the kernel sent it, in the saved state of its one _FrontEnd model),
  // imported once per distinct code, on a registry of its own.
  const frontEnds = new Map();

  function frontEnd(code) {
    if (!frontEnds.has(code)) {
      const own = code.replaceAll('globalThis.__backprop_widgets', `globalThis.${REGISTRY}`);
      const url = URL.createObjectURL(new Blob([own], { type: 'text/javascript' }));
      frontEnds.set(code, Promise.all([import(/* webpackIgnore: true */ url), graphviz()]).then(([module, layout]) => {
        URL.revokeObjectURL(url);
        const model = new StandIn({});
        module.default.initialize({ model });
        // as the kernel sends it (without it, the pictures laid out in Python are drawn as they are)
        if (layout) model.emit('msg:custom', { type: GRAPHVIZ, code: layout });
        const registry = globalThis[REGISTRY];
        return Object.values(registry).find(entry => entry.loaded).ready;
      }));
    }
    return frontEnds.get(code);
  }

  function el(tag, classes, text) {
    const node = document.createElement(tag);
    node.className = classes.filter(Boolean).join(' ');
    if (text) node.textContent = text;
    return node;
  }

  const modelOf = (models, ref) => typeof ref === 'string' && ref.startsWith(REF) ? models[ref.slice(REF.length)] : null;

  // Is this saved widget, or a widget inside it, a picture with a recorded walk laid out in Python?
  function hasWalk(models, model, depth = 0) {
    if (!model || depth > 20) return false;
    const state = model.state;
    if (state.replay && state.replay.svg && state.replay.steps) return true;
    return (state.children || []).some(ref => hasWalk(models, modelOf(models, ref), depth + 1));
  }

  // What is drawn before the kernel: a widget holding a recorded walk, or a picture of its own (draw(g): the
  // front end lays it out with the WebAssembly Graphviz). As build_site.py's `drawn` asks it.
  const isDrawn = (models, model) => !!model && (hasWalk(models, model) || typeof model.state.dot === 'string');

  // One saved widget as plain elements: boxes, buttons, labels, HTML, the pictures; a control that only
  // Python answers is drawn disabled (the replay greys out and explains the ones marked bpw-needs-kernel).
  function draw(models, model, pictures) {
    const state = model.state;
    const layout = modelOf(models, state.layout);
    const classes = ['jupyter-widgets', ...(state._dom_classes || [])];
    let node;
    switch (model.model_name) {
      case 'VBoxModel':
      case 'HBoxModel':
      case 'BoxModel':
        node = el('div', [...classes, 'widget-container', 'widget-box', model.model_name === 'HBoxModel' ? 'widget-hbox' : 'widget-vbox']);
        for (const ref of state.children || []) {
          const child = modelOf(models, ref);
          if (child) node.appendChild(draw(models, child, pictures));
        }
        break;
      case 'ButtonModel':
      case 'ToggleButtonModel':
        node = el('button', [...classes, 'jupyter-button', 'widget-button'], state.description || '');
        node.title = state.tooltip || state.description || '';
        node.disabled = !!state.disabled || !/bpw-go-/.test(classes.join(' '));
        break;
      case 'LabelModel':
        node = el('div', [...classes, 'widget-label'], state.value || '');
        break;
      case 'HTMLModel':
      case 'HTMLMathModel': {
        const kind = model.model_name === 'HTMLModel' ? 'widget-html' : 'widget-htmlmath';
        node = el('div', [...classes, 'widget-inline-hbox', kind]);
        const content = el('div', [`${kind}-content`]);
        content.innerHTML = state.value || ''; // the kit's own saved HTML, as ipywidgets shows it
        node.appendChild(content);
        break;
      }
      case 'AnyModel':
        node = el('div', [...classes, 'jupyter-widgets-disconnected']);
        if (typeof state.dot === 'string') pictures.push({ node, state });
        break;
      case 'PlayModel': // Python's: a disabled button, named as the live one's title
        node = el('button', [...classes, 'jupyter-button', 'widget-button'], `▶ ${state.description || 'Play'}`);
        node.disabled = true;
        break;
      default: // sliders, text: Python's; a disabled control beside its own label
        node = el('div', [...classes, 'widget-inline-hbox']);
        if (state.description) node.appendChild(el('label', ['widget-label'], state.description));
        node.appendChild(document.createElement('input')).disabled = true;
        if (/Slider/.test(model.model_name)) node.lastChild.type = 'range';
        node.lastChild.setAttribute('aria-label', state.description || 'needs Python');
    }
    if (layout) applyLayout(node, layout.state);
    return node;
  }

  // A widget's saved layout as ipywidgets' own view sets it: each trait a CSS property of the same name.
  const LAYOUT = ['display', 'width', 'height', 'min_width', 'max_width', 'min_height', 'max_height', 'margin',
    'padding', 'border', 'flex', 'flex_flow', 'align_items', 'align_self', 'justify_content', 'overflow', 'visibility'];

  function applyLayout(node, state) {
    for (const trait of LAYOUT) {
      if (typeof state[trait] === 'string') node.style.setProperty(trait.replace('_', '-'), state[trait]);
    }
  }

  // Resolved once the node is in the page and has a width: a picture chooses its view for the width it is given
  // (JupyterLab attaches a cell out of view later, when the page is idle).
  function inPage(node) {
    return new Promise(resolve => {
      const look = () => (node.isConnected && node.clientWidth > 0 ? resolve() : requestAnimationFrame(look));
      look();
    });
  }

  async function show(output, models, model) {
    const pictures = [];
    const node = draw(models, model, pictures);
    node.classList.add('bpw-walk-preview');
    output.replaceChildren(node); // what the output showed before: "Loading widget..." or its plain text
    for (const { node: host, state } of pictures) {
      const code = modelOf(models, state.front_end)?.state._esm;
      if (!code) continue;
      const [{ render }] = await Promise.all([frontEnd(code), inPage(host)]);
      render({ model: new StandIn(state), el: host });
    }
  }

  async function preview(panel) {
    const saved = await shippedWalks(panel.context.path);
    if (!saved || !saved.models || panel.isDisposed) return;
    const { models, places = [] } = saved;
    // A student's copy saved after a run in the browser shows that run's widgets, not the recorded ones: there a
    // walk is found by its place (the code cell, the output but the printed text), where the cell's code is the
    // one recorded.
    const byPlace = new Map(places.map(([k, n, source, id]) => [`${k}:${n}`, { source, id }]));
    const code = panel.content.widgets.filter(cell => cell.model.type === 'code');
    const walksOf = (cell) => {
      const k = code.indexOf(cell);
      const found = [];
      let n = 0;
      for (let i = 0; i < cell.model.outputs.length; i++) {
        const output = cell.model.outputs.get(i);
        if (output.type === 'stream') continue;
        const view = output.data[VIEW];
        const placed = byPlace.get(`${k}:${n++}`);
        let model = view && models[view.model_id];
        if (!isDrawn(models, model) && view && placed && placed.source === cell.model.sharedModel.getSource()) {
          model = models[placed.id];
        }
        if (isDrawn(models, model)) found.push([i, model]);
      }
      return found;
    };
    const pending = new Set(code.filter(cell => walksOf(cell).length));
    // Cells are drawn as they near the view: each one's walks are shown once its outputs are there.
    const look = () => {
      for (const cell of pending) {
        if (cell.isDisposed || !cell.outputArea) {
          pending.delete(cell);
          continue;
        }
        const outputs = cell.model.outputs;
        const nodes = cell.outputArea.node.querySelectorAll(':scope > .jp-OutputArea-child .jp-OutputArea-output');
        if (nodes.length < outputs.length) continue;
        pending.delete(cell);
        for (const [i, model] of walksOf(cell)) show(nodes[i], models, model).catch(console.error);
      }
      if (!pending.size) observer.disconnect();
    };
    const observer = new MutationObserver(() => requestAnimationFrame(look));
    observer.observe(panel.content.node, { childList: true, subtree: true });
    panel.disposed.connect(() => observer.disconnect());
    look();
  }

  const plugin = {
    id: `${NAME}:plugin`,
    autoStart: true,
    activate: app => {
      graphviz(); // fetched while JupyterLab opens the lesson (it is compiled only where a picture needs a layout)
      const style = document.createElement('style');
      // a picture drawn here has no kernel behind it yet: not ipywidgets' broken-link mark (its cell will run)
      style.textContent = '.bpw-walk-preview.jupyter-widgets-disconnected::before { display: none; }';
      document.head.appendChild(style);
      const seen = new WeakSet();
      app.shell.layoutModified.connect(() => {
        for (const widget of app.shell.widgets('main')) {
          if (seen.has(widget) || !widget.context || !widget.content || !widget.content.widgets) continue;
          seen.add(widget);
          widget.context.ready.then(() => widget.revealed).then(() => widget.isDisposed || preview(widget))
            .catch(console.error);
        }
      });
    }
  };

  window._JUPYTERLAB = window._JUPYTERLAB || {};
  window._JUPYTERLAB[NAME] = {
    init: async () => {},
    get: async () => () => ({ __esModule: true, default: [plugin] })
  };
})();
