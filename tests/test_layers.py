"""The layer contract, checked on the source: index ← assistant ← (evaluation, the UI, the CLI).

Every import counts, also those inside functions. The same contract is written for
import-linter in pyproject.toml (``make test`` runs ``lint-imports`` first); this test keeps it
checked by pytest alone and adds what the tool cannot say: evaluation uses only the public API.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("index", "assistant", "evaluation")
TOP = ("assistant.cli", "assistant.ui")  # the edges: they may use everything below them


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _walk(node: ast.AST, *, skip_type_checking: bool) -> Iterator[ast.AST]:
    for child in ast.iter_child_nodes(node):
        if skip_type_checking and isinstance(child, ast.If) and getattr(child.test, "id", "") == "TYPE_CHECKING":
            continue
        yield child
        yield from _walk(child, skip_type_checking=skip_type_checking)


def imports(path: Path, *, runtime_only: bool = False) -> Iterator[str]:
    """Absolute module names ``path`` imports (``from a import b`` yields ``a`` and ``a.b``),
    also inside functions; ``runtime_only`` leaves out ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in _walk(tree, skip_type_checking=runtime_only):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def allowed(rule: str, name: str, target: str) -> bool:
    """Whether module ``name`` may import ``target`` under ``rule``."""
    if rule == "index" and within(name, "index"):
        return target.split(".")[0] not in {"assistant", "evaluation", "bench", "app", "tests"}
    if rule == "assistant" and within(name, "assistant") and not any(within(name, t) for t in TOP):
        return not within(target, "evaluation") and not any(within(target, t) for t in TOP)
    if rule == "evaluation" and within(name, "evaluation") and within(target, "assistant"):
        head = target.split(".")  # only the public API: `from assistant import X`, X in assistant.__all__
        return len(head) == 1 or (len(head) == 2 and head[1] in _public_names())
    return True


def violations(rule: str) -> list[str]:
    return sorted(
        f"{name} imports {target}"
        for name, path in project_modules().items()
        for target in set(imports(path))
        if not allowed(rule, name, target)
    )


def _public_names() -> set[str]:
    tree = ast.parse((ROOT / "assistant" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
            return {ast.literal_eval(elt) for elt in node.value.elts}  # type: ignore[attr-defined]
    return set()


@pytest.mark.parametrize("rule", ["index", "assistant", "evaluation"])
def test_layer_contract(rule: str) -> None:
    """index imports nothing above it; assistant's core not the edges nor evaluation;
    evaluation only ``assistant``'s public API."""
    assert violations(rule) == []


def test_no_import_cycles_between_modules() -> None:
    """Runtime imports (lazy ones too) form no cycle; a package's ``__init__`` re-exporting its
    children aside (importing ``assistant.x`` runs ``assistant/__init__`` first)."""
    modules = project_modules()
    graph = {
        name: {t for t in imports(path, runtime_only=True) if t in modules and not within(name, t) and not within(t, name)}
        for name, path in modules.items()
    }
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if modules[nxt].name == "__init__.py":
                continue  # importing a package runs its __init__, which re-exports children
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert cycles == []


def test_the_rules_see_violations(tmp_path: Path) -> None:
    """The checker is not blind: a lazy import inside a function is found, and judged."""
    bad = tmp_path / "m.py"
    bad.write_text("if TYPE_CHECKING:\n    import index.store\ndef f():\n    from assistant.core import Assistant\n",
                   encoding="utf-8")
    assert {"assistant.core", "index.store"} <= set(imports(bad))
    assert set(imports(bad, runtime_only=True)) == {"assistant.core", "assistant.core.Assistant"}
    assert not allowed("index", "index.store", "assistant.core")
    assert not allowed("assistant", "assistant.core", "evaluation.runner")
    assert allowed("assistant", "assistant.cli", "evaluation.cli")
    assert not allowed("evaluation", "evaluation.cli", "assistant.core.Assistant")
    assert allowed("evaluation", "evaluation.cli", "assistant.Assistant")
