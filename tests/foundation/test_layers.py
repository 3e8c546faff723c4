"""The import directions of DESIGN.md, read from the source: services reach workflows only through client
modules that import nothing from services (so the two packages never import each other); rules/ and
tenants/ import neither."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("infra", "rules", "services", "tenants", "workflows")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")}


MODULES = _modules()


def imports_of(module: str) -> set[str]:
    """Every project module `module` imports, at any depth of its code (functions, `with` blocks)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from workflows import client` imports the module workflows.client.
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        found.update(name for name in names if name.split(".")[0] in PACKAGES)
    return found


def _top(module: str) -> str:
    return module.split(".", maxsplit=1)[0]


def _reached_from(start: set[str], within: str) -> set[str]:
    """`start` and the modules of package `within` that they import, directly or through each other."""
    seen: set[str] = set()
    todo = [name for name in start if name in MODULES]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(found for found in imports_of(name) if _top(found) == within and found in MODULES)
    return seen


def test_the_import_walk_sees_the_known_edges() -> None:
    # The test proves something only if it finds imports: the HTTP layer does use the cycle's client.
    assert "workflows.client" in imports_of("services.tenancy.service")
    assert "workflows.tracking.client" in imports_of("services.streetreports.controllers")
    assert "services.context" in imports_of("workflows.worker")


def test_the_workflow_modules_services_import_import_nothing_from_services() -> None:
    used = {found for name in MODULES if _top(name) == "services" for found in imports_of(name)}
    clients = _reached_from({name for name in used if _top(name) == "workflows"}, within="workflows")
    assert "workflows.cycle.schemas" in clients
    upward = {(name, found) for name in clients for found in imports_of(name) if _top(found) == "services"}
    assert upward == set()


def test_rules_and_tenants_import_neither_services_nor_workflows() -> None:
    upward = {
        (name, found)
        for name in MODULES
        if _top(name) in {"rules", "tenants"}
        for found in imports_of(name)
        if _top(found) in {"services", "workflows"}
    }
    assert upward == set()


def _local_clock_calls(module: str) -> list[str]:
    """Calls that read the machine's local date: `date.today()`, and `datetime.now()` with no time zone."""
    found = []
    for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = ast.unparse(node.func.value)
        if (node.func.attr == "today" and owner.endswith("date")) or (
            node.func.attr == "now" and owner.endswith("datetime") and not node.args and not node.keywords
        ):
            found.append(f"{module}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_every_today_is_chinas_date() -> None:
    # The server's clock runs on UTC: between midnight and 08:00 in China its date is yesterday's.
    calls = [call for name in MODULES if _top(name) != "infra" for call in _local_clock_calls(name)]
    assert calls == []


def _imported_names(module: str, source: str) -> set[str]:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    return {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == source
        for alias in node.names
    }


def test_activities_open_tenant_transactions_only_through_workflows_tenancy() -> None:
    # One way for an activity to open a tenant transaction: workflows.tenancy.transaction (or
    # system_transaction over it).
    openers = {
        name
        for name in MODULES
        if _top(name) == "workflows" and name != "workflows.tenancy"
        if "tenant_transaction" in _imported_names(name, "infra.db")
    }
    assert openers == set()
    assert "tenant_transaction" in _imported_names("workflows.tenancy", "infra.db")
