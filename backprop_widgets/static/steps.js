// A recorded walk's stepping, one home for the page player (player.js) and the widget's replay
// (frontend.js): the kernel writes this file into both, where they say STEPS in a comment.
//   walk.steps[k].cells  the cells whose text changed at step k (step 0: all of them)

const WALK_KEYS = { ArrowRight: "next", ArrowLeft: "back", Home: "home", End: "end" };

// The step a button or key ("home", "back", "next", "end") goes to from step `at`; `last` is the walk's last step.
function walkMove(name, at, last) {
  const to = { home: 0, back: at - 1, next: at + 1, end: last }[name];
  return Math.max(0, Math.min(last, to));
}

// The text of every cell as step k shows it: {index: text}.
function walkCells(walk, k) {
  const shown = {};
  for (const step of walk.steps.slice(0, k + 1)) Object.assign(shown, step.cells);
  return shown;
}
