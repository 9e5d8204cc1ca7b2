"""Run every benchmark:  python -m bench"""

import importlib

for name in (
    "bench_engine",
    "bench_render",
    "bench_widgets",
    "bench_parse",
    "bench_train",
    "bench_classes",
    "bench_torch",
    "bench_dashboard",
    "bench_browser",
):
    print(f"\n== bench.{name} ==")
    importlib.import_module(f"bench.{name}").main()
