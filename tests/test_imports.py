"""The import graph of bot/ and models/: no module imports a module that imports it back
(directly or round a longer loop), counting imports under TYPE_CHECKING and inside
functions; the use cases reach the outside only through their port."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def modules() -> dict[str, Path]:
    found = {}
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("models/**/*.py")]:
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()

    def resolve(name: str) -> str | None:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    edges: dict[str, set[str]] = {}
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str | None] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {resolve(alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                for alias in node.names:
                    targets.add(resolve(f"{base}.{alias.name}"))
        edges[name] = {t for t in targets if t and t != name}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_a_module_that_imports_it_back():
    assert cycles(graph()) == []


def test_the_check_sees_a_loop_hidden_under_type_checking():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_use_cases_know_the_port_not_slack_and_the_domain_knows_only_itself():
    edges = graph()
    for name, targets in edges.items():
        if name.startswith("bot.usecases"):
            outside = {t for t in targets if t.startswith(("bot.slack", "bot.outbox", "bot.texts"))}
            assert not outside, name
        if name.startswith("bot.domain"):
            assert all(t.startswith("bot.domain") for t in targets), name
        if name.startswith("bot.slack.notify"):
            assert not {t for t in targets if t.startswith("models")}, name


def test_the_slack_notifier_never_touches_the_database():
    for path in (ROOT / "bot/slack/notify").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                assert not name.startswith(("sqlalchemy", "sqlmodel", "models")), (path, name)


def private_imports(root: Path = ROOT) -> list[str]:
    """`from x import _name` in bot/, models/ or tests/ (whoever x is): a private name
    used outside its own module."""
    found = []
    for folder in ("bot", "models", "tests"):
        for path in sorted((root / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.ImportFrom) or not node.module:
                    continue
                for alias in node.names:
                    name = alias.name
                    if name.startswith("_") and not name.startswith("__"):
                        found.append(f"{path.relative_to(root)}: {node.module}.{name}")
    return found


def test_no_private_name_is_imported_across_modules():
    assert private_imports() == []


def test_the_check_sees_a_private_import(tmp_path: Path):
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "a.py").write_text("from bot.b import _helper\n", encoding="utf-8")
    assert private_imports(tmp_path) == ["bot/a.py: bot.b._helper"]


def test_no_module_of_the_bot_is_over_450_lines():
    long = {}
    for path in sorted((ROOT / "bot").rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > 450:
            long[str(path.relative_to(ROOT))] = lines
    assert long == {}
