"""How fast hostile YAML is refused: an alias bomb (billion laughs), an enormous file, deep nesting.

Each is written as a chain and as models.yaml and loaded the way the commands load them; prints
the median time to refusal (of ``--repeat`` runs) and the message, which names file and line.
For scale, the same for the largest chain that ships and the default models.yaml, which load.

    .venv/bin/python bench/yaml_limits.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def alias_bomb() -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)]
    return "\n".join(lines) + "\n"


HOSTILE = {
    "alias bomb (9^9 values)": alias_bomb(),
    "enormous (50 MB of comments)": ("# " + "x" * 98 + "\n") * 500_000,
    "nested 900 levels": "a: " + "[" * 900 + "]" * 900 + "\n",
}


def timed(load: Callable[[], object], repeat: int) -> tuple[float, str]:
    times, outcome = [], ""
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            load()
            outcome = "loaded"
        except Exception as exc:  # the refusal is the result being measured
            outcome = str(exc).replace("\n", " ")
        times.append(time.perf_counter() - start)
    return statistics.median(times), outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat

    from orchestrator_tui.config import Paths, load_config
    from orchestrator_tui.config.paths import bundled_dir
    from orchestrator_tui.core.chains.loader import load_chain_file

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = Paths(root / "config", root / "data", root / "cache")
        paths.ensure()
        for name, body in HOSTILE.items():
            chain = root / "chain.yaml"
            chain.write_text("name: hostile\nsteps: []\n" + body)
            seconds, outcome = timed(lambda chain=chain: load_chain_file(chain), repeat)
            print(f"chain       {name:30} {seconds * 1000:8.1f} ms  {outcome[:110]}")
            paths.models_file.write_text("providers: {}\n" + body)
            seconds, _ = timed(lambda: load_config(paths), repeat)
            warnings = load_config(paths).warnings
            print(
                f"models.yaml {name:30} {seconds * 1000:8.1f} ms  {(warnings or ['loaded'])[0][:110]}"
            )
        paths.models_file.unlink()
        largest = max(
            (bundled_dir("presets") / "chains").glob("*.yaml"), key=lambda p: p.stat().st_size
        )
        seconds, outcome = timed(lambda: load_chain_file(largest), repeat)
        print(
            f"chain       {'largest preset: ' + largest.name:30} {seconds * 1000:8.1f} ms  {outcome[:40]}"
        )
        seconds, _ = timed(lambda: load_config(paths), repeat)
        print(f"models.yaml {'the defaults only':30} {seconds * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
