"""Layers point one way: engine <- render <- widgets <- lessons (and the parser beside render)."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "backprop_widgets"

# For each layer: what it must never import (outside packages and our own layers above it).
FORBIDDEN = {
    "engine": {
        "graphviz",
        "pygraphviz",
        "ipywidgets",
        "matplotlib",
        "backprop_widgets.render",
        "backprop_widgets.widgets",
        "backprop_widgets.parse",
        "backprop_widgets.nn",
    },
    "parse": {
        "graphviz",
        "pygraphviz",
        "ipywidgets",
        "matplotlib",
        "backprop_widgets.render",
        "backprop_widgets.widgets",
    },
    "nn": {"graphviz", "pygraphviz", "ipywidgets", "backprop_widgets.render", "backprop_widgets.widgets"},
    "render": {"ipywidgets", "backprop_widgets.widgets"},
    # Exercises are judged by the engine alone: no drawing, no widgets (graders import them in a sandbox).
    "exercises": {
        "graphviz",
        "pygraphviz",
        "ipywidgets",
        "matplotlib",
        "backprop_widgets.render",
        "backprop_widgets.widgets",
    },
    # Widgets compose everything below them; nothing imports a widget but the package's front door.
    "widgets": {"backprop_widgets.grading"},
    # Audits of a student's engine: the engine below them, widgets only to show a verdict.
    "audit": {"backprop_widgets.grading"},
    # The palette is a leaf: every layer may take its colours, so it takes nothing.
    "palette": {"backprop_widgets", "numpy", "graphviz", "ipywidgets", "matplotlib"},
    # So is the version (pyproject reads it, the pictures' front end is named after it).
    "_version": {"backprop_widgets", "numpy", "graphviz", "ipywidgets", "matplotlib"},
}


def imports_of(path: Path) -> set[str]:
    """Absolute names of every module a file imports (relative imports resolved)."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module.removesuffix(".__init__")
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def files_of(layer: str):
    target = PACKAGE / layer
    return sorted(target.rglob("*.py")) if target.is_dir() else [target.with_suffix(".py")]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_downwards(layer):
    for path in files_of(layer):
        found = {
            name for name in imports_of(path) for bad in FORBIDDEN[layer] if name == bad or name.startswith(bad + ".")
        }
        assert not found, f"{path.relative_to(PACKAGE.parent)} imports {sorted(found)}"


def test_the_checker_sees_relative_imports():
    names = imports_of(PACKAGE / "widgets" / "stepper.py")
    assert "backprop_widgets.render" in names


def test_the_contract_covers_every_layer():
    layers = {path.stem for path in PACKAGE.iterdir() if path.suffix == ".py" or (path / "__init__.py").exists()}
    unchecked = layers - set(FORBIDDEN) - {"__init__", "grading", "static"}
    assert not unchecked, f"layers without an import contract: {sorted(unchecked)}"
