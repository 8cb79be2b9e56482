"""What the console costs to open: the JavaScript of the first load (the sign-in page and 首页), gzip,
stays under 500 KB; every other screen is a chunk of its own, loaded when first opened."""
from __future__ import annotations

import gzip
import json

from conftest import ROOT

DIST = ROOT / "web" / "dist"
FIRST_LOAD = ("index.html", "src/views/SignInView.vue", "src/views/home/HomeView.vue")
BUDGET = 500 * 1024


def chunks(manifest: dict, name: str, seen: set[str]) -> set[str]:
    """The files a chunk needs before it runs: itself and its static imports, transitively."""
    entry = manifest[name]
    if name in seen:
        return set()
    seen.add(name)
    files = {entry["file"]}
    for imported in entry.get("imports", []):
        files |= chunks(manifest, imported, seen)
    return files


def test_the_first_load_is_under_500_kb_gzip_and_the_screens_are_split():
    manifest = json.loads((DIST / ".vite" / "manifest.json").read_text())
    first: set[str] = set()
    for name in FIRST_LOAD:
        first |= chunks(manifest, name, set())
    scripts = [f for f in first if f.endswith(".js")]
    size = sum(len(gzip.compress((DIST / f).read_bytes(), 9)) for f in scripts)
    print(f"first load: {len(scripts)} scripts, {size / 1024:.1f} KB gzip")
    assert size < BUDGET, f"{size / 1024:.1f} KB gzip"
    screens = [name for name in manifest if name.startswith("src/views/") and name.endswith("View.vue")
               and name not in FIRST_LOAD]
    assert len(screens) >= 8  # 地图 … 设置, each lazy
    for name in screens:
        assert manifest[name].get("isDynamicEntry"), f"{name} is loaded with the first page"
        assert manifest[name]["file"] not in first
