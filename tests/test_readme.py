"""The README's Python blocks run as written, and its 'engine in one page' quotes engine/graph.py exactly."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
GRAPH = (ROOT / "backprop_widgets" / "engine" / "graph.py").read_text(encoding="utf-8")


def is_engine_quote(block: str) -> bool:
    return "parent.grad +=" in block


def test_the_readme_has_its_blocks():
    assert len(BLOCKS) >= 3 and sum(map(is_engine_quote, BLOCKS)) == 1


def test_the_engine_quote_is_graph_py_word_for_word():
    quote = next(block for block in BLOCKS if is_engine_quote(block))
    lines = [line.strip() for line in quote.strip().splitlines()]
    source = [line.strip() for line in GRAPH.splitlines()]
    start = source.index(lines[0])
    assert source[start : start + len(lines)] == lines


@pytest.mark.parametrize("block", [b for b in BLOCKS if not is_engine_quote(b)])
def test_each_python_block_runs(block):
    exec(compile(block, "README.md", "exec"), {})


def test_the_benchmark_table_names_every_benchmark():
    """Each bench/bench_*.py has a row in the README's table, and `python -m bench` runs each one but bench_grading."""
    table = re.findall(r"^\| `(bench_\w+)` \|", (ROOT / "README.md").read_text(encoding="utf-8"), re.M)
    files = sorted(path.stem for path in (ROOT / "bench").glob("bench_*.py"))
    assert sorted(table) == files
    runs_all = re.findall(r'"(bench_\w+)"', (ROOT / "bench" / "__main__.py").read_text(encoding="utf-8"))
    assert sorted(runs_all) == [name for name in files if name != "bench_grading"]
