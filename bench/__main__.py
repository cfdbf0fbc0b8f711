"""Run every benchmark module of the `bench` package (`make bench`)."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import bench


def main(names: list[str]) -> None:
    found = sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_")
    )
    for name in names or found:
        module = importlib.import_module(f"bench.{name}")
        print(f"== bench.{name}", flush=True)
        module.run()


if __name__ == "__main__":
    main(sys.argv[1:])
