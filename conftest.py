"""nbval's settings for the lessons (kept out of lessons/, which holds only what a student opens).

nbval compares the lessons' stored outputs, number for number, except pictures.

nbval already leaves PNG pictures out; the graph pictures' static SVG copies are
left out the same way: they are made only where pygraphviz is installed (the
widgets lay out in the browser and do not need it), and every number they show
is also checked through the cells' text outputs and the widgets' tests.
The parts of outputs that truly vary between runs are replaced as
``tests/nbval_sanitize.cfg`` says; a cell whose output is not compared at all
carries the cell tag ``nbval-ignore-output``.
"""

SKIPPED = ("image/svg+xml",)


def pytest_collection_modifyitems(items):
    for item in items:
        notebook = item.parent
        skip = getattr(notebook, "skip_compare", None)
        if skip is not None and not set(SKIPPED) <= set(skip):
            notebook.skip_compare = tuple(skip) + SKIPPED
