"""How many modules of each package sit in an import cycle (strongly connected components).

Prints, per package, the modules that import each other round in a circle, by
the same import graph import-linter builds (every import, lazy ones included).
The issue this answers measured 32 of 51 ``tui`` modules in one cycle.

    python bench/import_cycles.py [PACKAGE ...]
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

import grimp

PACKAGES = ("cli", "tui", "widgets", "actions", "cloud")


def strongly_connected(nodes: Iterable[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively: the components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
                continue
            if child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(edges.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def main(packages: Iterable[str]) -> None:
    """Print each package's modules in cycles."""
    graph = grimp.build_graph(*packages)
    for package in packages:
        modules = sorted(m for m in graph.modules if m == package or m.startswith(f"{package}."))
        edges = {
            m: {i for i in graph.find_modules_directly_imported_by(m) if i in modules}
            for m in modules
        }
        cycles = strongly_connected(modules, edges)
        in_cycles = sum(len(c) for c in cycles)
        largest = max((len(c) for c in cycles), default=0)
        print(
            f"{package}: {in_cycles} of {len(modules)} modules in import cycles "
            f"({len(cycles)} cycles, the largest of {largest})"
        )
        for cycle in cycles:
            print("  " + ", ".join(cycle))


if __name__ == "__main__":
    main(tuple(sys.argv[1:]) or PACKAGES)
