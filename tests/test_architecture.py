"""The import rules of docs/ARCHITECTURE.md, checked on the source tree.

Each package may import the packages listed for it, and nothing above it;
the few single-module exceptions are named with the reason they exist.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BASE = {"items", "sources", "times", "text", "hosts", "paths", "settings"}
ALLOWED: dict[str, set[str]] = {
    "items": set(),
    "sources": {"hosts", "paths"},
    "times": set(),
    "text": set(),
    "hosts": set(),
    "paths": set(),
    "settings": set(),
    "dedupe": BASE,
    "refine": BASE | {"dedupe"},
    "extract": BASE | {"refine", "dedupe"},
    "storage": BASE | {"dedupe"},
    "crawl": BASE | {"extract", "refine", "dedupe", "storage", "distributed"},
    "distributed": BASE | {"extract", "refine", "dedupe", "storage", "crawl"},
    "spiders": BASE | {"extract", "refine", "dedupe", "storage", "crawl", "demo"},
    "pipelines": BASE | {"refine", "dedupe", "storage", "crawl", "distributed"},
    "datasette": BASE | {"storage"},
    "demo": BASE,
    "cli": BASE
    | {"extract", "refine", "dedupe", "storage", "crawl", "distributed", "datasette", "demo"},
}
# Stages applied to the whole archive live with their stage but read and write it.
EXCEPTIONS: dict[str, set[str]] = {
    "pressarchive/refine/about_learning.py": {"storage"},
    "pressarchive/refine/learner_documents.py": {"storage"},
    "pressarchive/dedupe/clusters.py": {"storage"},
}
# Modules held to less than their package may import. The crawl's shared state
# is read by the spiders, the pipelines and the distributed components: it
# depends on none of them, nor on the rest of `crawl`.
NARROWER: dict[str, set[str]] = {
    "pressarchive/crawl/state.py": BASE | {"storage"},
}


def _package(path: Path) -> str:
    relative = path.relative_to(ROOT)
    if relative.parts[0] in ("spiders", "pipelines"):
        return relative.parts[0]
    return relative.parts[1].removesuffix(".py")


def _imported_modules(path: Path) -> set[str]:
    """The pressarchive modules `path` imports, dotted (pressarchive.crawl.pool)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        found.update(n for n in names if n.startswith("pressarchive.") and n.count(".") >= 1)
    return found


def _imported_packages(path: Path) -> set[str]:
    return {name.split(".")[1] for name in _imported_modules(path)}


def _sources() -> list[Path]:
    files = [*ROOT.glob("pressarchive/**/*.py"), *ROOT.glob("spiders/*.py")]
    return sorted(files + list(ROOT.glob("pipelines/*.py")))


def test_every_package_imports_only_what_the_architecture_allows() -> None:
    broken = []
    for path in _sources():
        package = _package(path)
        if package in ("__init__", "__main__"):
            continue
        allowed = ALLOWED.get(package)
        assert allowed is not None, f"{path}: package {package!r} is not in docs/ARCHITECTURE.md"
        extra = EXCEPTIONS.get(str(path.relative_to(ROOT)), set())
        for imported in _imported_packages(path) - {package} - allowed - extra:
            broken.append(f"{path.relative_to(ROOT)} imports pressarchive.{imported}")
    assert not broken, "\n".join(broken)


def test_narrower_modules_import_only_their_own_few() -> None:
    broken = []
    for name, allowed in NARROWER.items():
        path = ROOT / name
        assert path.exists(), f"{name} is gone: update NARROWER"
        for imported in _imported_modules(path):
            if imported.split(".")[1] not in allowed:
                broken.append(f"{name} imports {imported}")
    assert not broken, "\n".join(broken)


def test_no_module_is_over_400_lines_outside_demo_data() -> None:
    long = [
        f"{path.relative_to(ROOT)}: {n} lines"
        for path in _sources()
        if "demo" not in path.parts
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > 400
    ]
    assert not long, "\n".join(long)
