// A recorded walk, stepped in the page with no kernel (widgets/recorded.py writes it in).
//
// Each <div class="bpw-player"> holds the picture laid out in Python (its number cells are
// <text data-cell="i">), buttons, a panel, a live region and the walk as JSON:
//   steps[k].cells    the cells whose text changed at step k (step 0: all of them)
//   steps[k].current  the ids of the groups lit at step k
//   steps[k].say      step k in words (shown, and read out by screen readers)
//   steps[k].panel    the panel's other lines
//   steps[k].flow     the number the step carries along its edge ({edge, text}), shown on that edge
// A plain script, not a module, so that a page opened from file:// runs it; mounting twice is harmless.
(function () {
  const P = /*PROTOCOL*/ {}; // written in by the kernel (widgets/graph.py, _module)
  /*STEPS*/ // walkMove, walkCells, WALK_KEYS: static/steps.js, written in by the kernel

  function textWidth(text) {
    let ems = 0;
    for (const c of text) ems += P.em[c] ?? P.wide;
    return ems * P.fontSize;
  }

  function mount(root) {
    if (root.dataset.mounted) return;
    root.dataset.mounted = "1";
    const walk = JSON.parse(root.querySelector("script.bpw-walk").textContent);
    const cells = Array.from(root.querySelectorAll("text[data-cell]"));
    const texts = new Map(cells.map((t) => [Number(t.dataset.cell), t]));
    const groups = new Map(Array.from(root.querySelectorAll("svg g[id]")).map((g) => [g.id, g]));
    const said = root.querySelector(".bpw-said");
    const panel = root.querySelector(".bpw-panel");
    const live = root.querySelector("[aria-live]");
    const position = root.querySelector(".bpw-position");
    const buttons = {};
    for (const b of root.querySelectorAll("button[data-go]")) buttons[b.dataset.go] = b;
    const last = walk.steps.length - 1;
    let at = -1;
    let lit = [];
    let token = null;
    const SVG = "http://www.w3.org/2000/svg";

    // The step's number on its edge, at the middle of the edge's line (the live widget animates it there).
    function showToken(flow) {
      token?.remove();
      token = null;
      const path = flow && groups.get(flow.edge)?.querySelector("path");
      if (!path) return;
      const middle = path.getPointAtLength(path.getTotalLength() / 2);
      const width = textWidth(flow.text) + 8;
      token = document.createElementNS(SVG, "g");
      token.setAttribute("class", "bpw-token");
      const box = document.createElementNS(SVG, "rect");
      const attributes = { x: middle.x - width / 2, y: middle.y - 8, width, height: 14, rx: 3, fill: "#d55e00" };
      for (const [name, value] of Object.entries(attributes)) box.setAttribute(name, String(value));
      const text = document.createElementNS(SVG, "text");
      for (const [name, value] of Object.entries({ x: middle.x, y: middle.y + 2.5, fill: "#fff" })) {
        text.setAttribute(name, String(value));
      }
      text.setAttribute("text-anchor", "middle");
      text.setAttribute("font-weight", "bold");
      text.textContent = flow.text;
      token.append(box, text);
      path.parentNode.appendChild(token);
    }

    function setText(i, value) {
      const text = texts.get(i);
      if (!text) return;
      text.textContent = value;
      if (textWidth(value) > walk.rooms[i]) {
        text.setAttribute("textLength", walk.rooms[i].toFixed(2));
        text.setAttribute("lengthAdjust", "spacingAndGlyphs");
      } else {
        text.removeAttribute("textLength");
        text.removeAttribute("lengthAdjust");
      }
    }

    function show(k, speak) {
      k = Math.max(0, Math.min(last, k));
      if (k === at) return;
      for (const [i, value] of Object.entries(walkCells(walk, k))) setText(Number(i), value);
      for (const g of lit) g.classList.remove("current");
      const step = walk.steps[k];
      lit = step.current.map((id) => groups.get(id)).filter(Boolean);
      for (const g of lit) g.classList.add("current");
      showToken(step.flow);
      said.textContent = step.say;
      for (const p of panel.querySelectorAll("p.bpw-line")) p.remove();
      for (const line of step.panel) {
        const p = document.createElement("p");
        p.className = "bpw-line";
        p.textContent = line;
        panel.appendChild(p);
      }
      position.textContent = step.position;
      if (speak) live.textContent = step.say;
      buttons.home.disabled = buttons.back.disabled = k === 0;
      buttons.next.disabled = buttons.end.disabled = k === last;
      root.dataset.position = String(k);
      at = k;
    }

    for (const [name, button] of Object.entries(buttons)) {
      button.addEventListener("click", () => show(walkMove(name, at, last), true));
    }
    root.addEventListener("keydown", (event) => {
      const name = WALK_KEYS[event.key];
      if (!name) return;
      event.preventDefault();
      show(walkMove(name, at, last), true);
    });
    show(walk.start ?? 0, false);
  }

  for (const root of document.querySelectorAll(".bpw-player")) mount(root);
})();
