// The graph picture's own module: small, because it is sent with every picture.
// The drawing code and the WebAssembly Graphviz come once per page, with the
// front-end model (frontend.js); this module waits for them, and meanwhile
// applies the kernel's patches to the model, so that no change is ever lost.

// The kernel writes in its constants (render/protocol.py) when it sends this module: the
// version the front end is registered under, and the patch message's type.
const P = /*PROTOCOL*/ {}; // written in by the kernel (widgets/graph.py, _module)
const API = P.api;

function shared() {
  const registry = (globalThis.__backprop_widgets ??= {});
  if (!registry[API]) {
    let resolve;
    const ready = new Promise((r) => (resolve = r));
    registry[API] = { ready, resolve };
  }
  return registry[API];
}

// A patch carries only what changed: {cells: {index: text}, current, flow, announce, notes}, and
// the traits of other widgets shown with the picture, {state: {model id: {name: value}}} (a
// stepper's panel: widgets/graph.py, carry), so that a slider move is one message.
function applyPatch(model, patch) {
  const state = {};
  if (patch.cells) {
    const cells = model.get("cells").slice();
    for (const [i, text] of Object.entries(patch.cells)) cells[Number(i)] = text;
    state.cells = cells;
  }
  for (const name of ["current", "flow", "announce", "notes", "details"]) {
    if (name in patch) state[name] = patch[name];
  }
  model.set(state); // the front end's copy only: the kernel already has these values
  for (const [id, traits] of Object.entries(patch.state || {})) {
    if (!model.widget_manager) { // a host without ipywidgets' manager: the picture still paints
      console.warn("backprop_widgets: no widget manager here; the panel beside the picture does not change");
      break;
    }
    // set as the kernel's own update message would set them (set_state: nothing is sent back)
    model.widget_manager.get_model(id).then(
      (other) => other.set_state(traits),
      (error) => console.warn("backprop_widgets: a widget the picture's patch names is gone:", id, error),
    );
  }
}

export default {
  initialize({ model }) {
    model.on("msg:custom", (message) => {
      if (message && message.type === P.messages.patch) applyPatch(model, message);
    });
  },
  async render({ model, el }) {
    el.classList.add("bpw-graph-host");
    el.textContent = "Loading the graph picture…";
    const timer = setTimeout(() => {
      el.textContent =
        "The graph picture's code has not arrived. Run the cell again; if that does not help, " +
        "restart the kernel (backprop_widgets sends its drawing code with the first picture).";
    }, 30000);
    const frontEnd = await shared().ready;
    clearTimeout(timer);
    return frontEnd.render({ model, el });
  },
};
