"""Benchmark of the formula parser: the slowest inputs it accepts or refuses, up to MAX_LENGTH characters.

Run from the repository root:  python -m bench.bench_parse
Prints the best of several runs per input; the aim is under 100 ms for any input.
"""

from __future__ import annotations

import time
import warnings

from backprop_widgets.parse import MAX_LENGTH, MAX_NESTING, ParseError, parse


def inputs() -> list[tuple[str, str]]:
    """(what, formula): typical formulas, then the longest and deepest the parser takes or refuses."""
    terms = MAX_LENGTH // 2
    return [
        ("sigmoid tree", "1/(1+e^(-x))"),
        ("(a+b)(b+c)", "(a+b)(b+c)"),
        ("sum of 5,000 x", "+".join(["x"] * terms)),
        ("5,000 x side by side", " ".join(["x"] * terms)),
        ("sum of 800 w_i*x_i (1,600 variables)", "+".join(f"w{i}*x{i}" for i in range(800))),
        ("a 300-digit number", "1" * 300),
        ("a 10,000-digit number (refused)", "1" * MAX_LENGTH),
        ("sum of 909 sigmoid(x)", "+".join(["sigmoid(x)"] * (MAX_LENGTH // 11))),
        (f"{MAX_NESTING} nested parentheses", "(" * MAX_NESTING + "x" + ")" * MAX_NESTING),
        (f"powers {MAX_NESTING} deep", "^".join(["x"] * MAX_NESTING)),
        ("5,000 minus signs (refused)", "-" * (terms - 1) + "x"),
        ("too deep (refused)", "(" * (terms - 1) + "x" + ")" * (terms - 1)),
        ("a bad char at the end (refused)", "+".join(["x"] * (terms - 1)) + "+$"),
        ("syntax error at the end (refused)", "+".join(["x"] * (terms - 1)) + "*"),
        ("too long (refused)", "x" * (MAX_LENGTH + 1)),
    ]


def time_parse(text: str, repeats: int = 7) -> tuple[float, float, str]:
    """Best wall-clock and best CPU time of several runs, and what the parse gave.

    CPU time is what the parser costs when the machine is shared with other work."""
    wall, cpu = [], []
    outcome = ""
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                parse(text)
            outcome = "Value"
        except ParseError:
            outcome = "ParseError"
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), min(cpu), outcome


def main() -> None:
    print(f"{'input':<38} {'chars':>6} {'wall ms':>8} {'cpu ms':>7}  result")
    worst = 0.0
    for what, text in inputs():
        wall, cpu, outcome = time_parse(text)
        worst = max(worst, wall)
        print(f"{what:<38} {len(text):>6} {wall * 1e3:>8.1f} {cpu * 1e3:>7.1f}  {outcome}")
    print(f"slowest input: {worst * 1e3:.1f} ms, best of 7 runs (aim: under 100 ms)")


if __name__ == "__main__":
    main()
