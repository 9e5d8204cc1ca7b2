// The lessons' keeper in the JupyterLite site: a JupyterLab plugin in plain JavaScript, in the shape
// JupyterLab loads a prebuilt extension (a module-federation container: init and get), so it needs
// no Node.js build. scripts/build_site.py writes it into the site with SHIPPED filled in.
//
// - A lesson saved in the browser (the student's copy) that is older than the shipped lesson is
//   replaced by it if the student changed none of its cells, and otherwise named in a notice whose
//   button resets it to the shipped lesson, the student's copy kept aside under a dated name.
// - Any lesson's right-click menu has that reset too.
// - A link with ?path= opens its lesson alone: the tabs of the last visit are closed once restored,
//   with the kernels they started.

// Each shipped lesson's path: its version, and the hash of its cells' sources (see sourcesHash).
const SHIPPED = /*SHIPPED*/ {};
const NAME = 'backprop-widgets-lessons';
let shareScope;

async function shared(name) {
  // the app's own copy of a JupyterLab package, as a federated extension receives it
  const versions = shareScope[name];
  return (await versions[Object.keys(versions)[0]].get())();
}

// FNV-1a over UTF-16 code units of the cells' types and sources: the same in build_site.py.
function sourcesHash(cells) {
  const text = cells.map(c => c.cell_type + '\u0000' + [].concat(c.source).join('')).join('\u0001');
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

function makePlugin({ Notification }) {
  async function reopen(app, widget, path) {
    widget.dispose();
    await app.commands.execute('docmanager:open', { path });
  }

  async function reset(app, widget) {
    const path = widget.context.path;
    await widget.context.save(); // the student's copy, as it is now, is what goes aside
    await widget.sessionContext.shutdown(); // the shipped lesson starts with a kernel of its own
    const stamp = new Date().toISOString().slice(0, 16).replace('T', ' ').replace(':', 'h');
    const aside = path.replace(/\.ipynb$/, ` (my copy ${stamp}).ipynb`);
    await app.serviceManager.contents.rename(path, aside);
    await reopen(app, widget, path);
    Notification.success(`This is the lesson as shipped. Your copy is kept as "${aside}".`, { autoClose: 8000 });
  }

  async function check(app, widget) {
    const path = widget.context.path;
    const shipped = SHIPPED[path];
    if (!shipped) return;
    const model = widget.context.model;
    const mark = model.getMetadata('backprop_widgets') || {};
    if (mark.version === shipped.version) return;
    if (mark.sources && mark.sources === sourcesHash(model.toJSON().cells)) {
      // an older lesson that the student ran but did not change: nothing of theirs to keep
      await app.serviceManager.contents.delete(path);
      await reopen(app, widget, path);
      Notification.info(`${path} was updated since you last opened it: this is the new version.`, { autoClose: 8000 });
      return;
    }
    Notification.warning(
      `A newer version of ${path} is here. You are reading your own saved copy of an older one.`,
      { autoClose: false, actions: [{ label: 'Reset to the new lesson (keeps my copy)', callback: () => reset(app, widget) }] }
    );
  }

  return {
    id: `${NAME}:plugin`,
    autoStart: true,
    activate: app => {
      const opened = new URLSearchParams(window.location.search).get('path');
      if (opened) {
        app.restored.then(() => {
          for (const widget of [...app.shell.widgets('main')]) {
            if (!widget.context || widget.context.path === opened) continue;
            const session = widget.sessionContext; // its kernel is shut down once it has started
            session.ready.then(() => session.shutdown()).catch(console.error).finally(() => widget.dispose());
          }
        });
      }
      app.commands.addCommand(`${NAME}:reset`, {
        label: 'Reset to the shipped lesson (keeps my copy)',
        isVisible: () => !!(app.shell.currentWidget && app.shell.currentWidget.context
          && SHIPPED[app.shell.currentWidget.context.path]),
        execute: () => reset(app, app.shell.currentWidget)
      });
      app.contextMenu.addItem({ command: `${NAME}:reset`, selector: '.jp-Notebook', rank: 100 });
      const seen = new WeakSet();
      app.shell.layoutModified.connect(() => {
        for (const widget of app.shell.widgets('main')) {
          if (seen.has(widget) || !widget.context) continue;
          seen.add(widget);
          widget.context.ready.then(() => widget.isDisposed || check(app, widget)).catch(console.error);
        }
      });
    }
  };
}

window._JUPYTERLAB = window._JUPYTERLAB || {};
window._JUPYTERLAB[NAME] = {
  init: async scope => {
    shareScope = scope;
  },
  get: async () => {
    const plugin = makePlugin(await shared('@jupyterlab/apputils'));
    return () => ({ __esModule: true, default: [plugin] });
  }
};
