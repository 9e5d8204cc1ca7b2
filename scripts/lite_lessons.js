// The lessons' keeper in the JupyterLite site: a JupyterLab plugin in plain JavaScript, in the shape
// JupyterLab loads a prebuilt extension (a module-federation container: init and get), so it needs
// no Node.js build. scripts/build_site.py writes it into the site with SHIPPED filled in.
//
// - A lesson saved in the browser (the student's copy) that is older than the shipped lesson is
//   replaced by it if the student changed none of its cells, and otherwise named in a notice whose
//   button resets it to the shipped lesson, the student's copy kept aside under a dated name.
// - Any lesson's right-click menu has that reset too.
// - A link with ?path= opens its lesson alone: the last visit's other notebooks are not restored (and so
//   start no kernel); any other tab restored is closed, with its kernel.

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

function makePlugin({ Notification }, { PageConfig }) {
  async function reopen(app, widget, path) {
    widget.dispose();
    await app.commands.execute('docmanager:open', { path });
  }

  async function reset(app, widget) {
    const path = widget.context.path;
    const copy = widget.context.model.toJSON(); // the student's copy, as it is now, is what goes aside
    await widget.sessionContext.shutdown(); // the shipped lesson starts with a kernel of its own
    const stamp = new Date().toISOString().slice(0, 16).replace('T', ' ').replace(':', 'h');
    const aside = path.replace(/\.ipynb$/, ` (my copy ${stamp}).ipynb`);
    // Saved as a new file, not renamed: an open tab renamed to the copy would be restored on the next visit.
    await app.serviceManager.contents.save(aside, { type: 'notebook', format: 'json', content: copy });
    await app.serviceManager.contents.delete(path); // the browser's copy gone, the shipped lesson shows
    await reopen(app, widget, path);
    Notification.success(`This is the lesson as shipped. Your copy is kept as "${aside}".`, { autoClose: 8000 });
  }

  // The last visit's notebooks but the linked one, dropped from the saved workspace before JupyterLab restores
  // it (its router loads the workspace once every plugin has started): each would start a kernel of its own.
  async function forgetOtherNotebooks(app, opened) {
    const id = PageConfig.getOption('workspace') || PageConfig.defaultWorkspace;
    const workspace = await app.serviceManager.workspaces.fetch(id);
    const others = Object.keys(workspace.data).filter(key => /^(notebook|console):/.test(key) && key !== `notebook:${opened}`);
    if (!others.length) return;
    for (const key of others) delete workspace.data[key];
    await app.serviceManager.workspaces.save(id, workspace);
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
    activate: async app => {
      const opened = new URLSearchParams(window.location.search).get('path');
      if (opened) await forgetOtherNotebooks(app, opened).catch(console.error);
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
    const plugin = makePlugin(await shared('@jupyterlab/apputils'), await shared('@jupyterlab/coreutils'));
    return () => ({ __esModule: true, default: [plugin] });
  }
};
