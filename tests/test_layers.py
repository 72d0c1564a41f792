"""The shape of the code, checked: packages depend one way, modules and views stay small, views hold no SQL and
no transaction handling (issue 14; `README.md`, "Layout")."""

from __future__ import annotations

import ast
from pathlib import Path

MARKET = Path(__file__).resolve().parent.parent / "market"

#: Bottom to top. A module may import its own package, the core modules (market/*.py, which sit below every
#: package) and packages lower in this list, never one higher up, not even inside a function.
LAYERS = ["audit", "regions", "accounts", "notifications", "staff", "delivery", "pairing", "catalog", "orders",
          "payments", "households", "invoices", "shares", "demands", "tallies", "agreements", "rounds", "pledges", "bulletins", "reports",
          "admin", "home", "api", "demo"]
#: Core modules that sit above the packages: the app factory and the list of every model.
TOP = {"__init__", "models"}
#: Core modules import only core modules, with these exceptions: each permission and label rule is registered
#: by its feature, so `permissions` and `labels` know no feature, but `permissions` reads who a person is.
CORE_MAY_IMPORT = {"permissions": {"accounts"}, "state": {"audit"}}

MAX_MODULE_LINES = 400
MAX_VIEW_LINES = 25


def _modules():
    for path in sorted(MARKET.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _imported(path: Path, tree: ast.AST):
    """(line, first part under market) for every import of a market module in the file, anywhere in it."""
    own = list(path.relative_to(MARKET).parent.parts)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = own[: len(own) - (node.level - 1)] if node.level > 1 else own
                parts = base + (node.module.split(".") if node.module else [node.names[0].name])
            elif node.module == "market":
                parts = [alias.name for alias in node.names][:1]
            elif node.module and node.module.startswith("market."):
                parts = node.module.split(".")[1:]
            else:
                continue
            if parts:
                yield node.lineno, parts[0]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("market."):
                    yield node.lineno, alias.name.split(".")[1]


def _rank(name: str) -> float:
    if name in TOP:
        return float("inf")
    if name in LAYERS:
        return LAYERS.index(name)
    return -1  # a core module


def test_packages_depend_one_way():
    offenders = []
    for path, tree in _modules():
        parts = path.relative_to(MARKET).with_suffix("").parts
        package = parts[0]
        for line, target in _imported(path, tree):
            if target == package or _rank(target) < 0 and _rank(package) >= 0:
                continue  # its own package, or a feature using a core module
            if _rank(package) < 0 and _rank(target) < 0:
                continue  # core modules among themselves
            allowed = CORE_MAY_IMPORT.get(package, set())
            if _rank(target) < _rank(package) or target in allowed:
                continue
            offenders.append(f"{path.relative_to(MARKET.parent)}:{line} imports market.{target}")
    assert offenders == []


def test_no_module_is_over_400_lines():
    long = [f"{path.relative_to(MARKET.parent)}: {n}" for path, _tree in _modules()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES]
    assert long == []


def _is_view(node) -> bool:
    return isinstance(node, ast.FunctionDef) and any(
        isinstance(d, ast.Call) and getattr(d.func, "attr", "") in ("route", "get", "post", "patch", "put", "delete")
        for d in node.decorator_list)


def _view_modules():
    """Every module that defines a route: the views.py of each feature and the API's modules by feature."""
    for path, tree in _modules():
        if path.name == "views.py" or any(_is_view(node) for node in ast.walk(tree)):
            yield path, tree


def _views():
    for path, tree in _view_modules():
        for node in ast.walk(tree):
            if _is_view(node):
                yield path, node


def test_no_view_is_over_25_lines():
    long = [f"{path.relative_to(MARKET.parent)}:{node.lineno} {node.name}: {n}" for path, node in _views()
            if (n := node.end_lineno - node.lineno + 1) > MAX_VIEW_LINES]
    assert long == []


def test_views_hold_no_sql_and_no_transaction_handling():
    """One commit per request at the edge (market/transaction.py) and one RuleError handler per blueprint: a
    view neither commits, rolls back, catches a rule's error, nor writes SQL. The payment steps that store their
    idempotency key before calling the provider are the documented exception (`commits_before_the_provider`)."""
    offenders = []
    for path, _tree in _view_modules():
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            code = line.split("#")[0]
            if "select(" in code or "except RuleError" in code or ".rollback()" in code:
                offenders.append(f"{path.relative_to(MARKET.parent)}:{number}: {line.strip()}")
            elif ".commit()" in code and "commits before the provider" not in line:
                offenders.append(f"{path.relative_to(MARKET.parent)}:{number}: {line.strip()}")
    assert offenders == []
