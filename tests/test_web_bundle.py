"""What the web apps cost to open: the JavaScript of the console's first load (the sign-in page and
首页), gzip, stays under 500 KB, and the field app's (its sign-in and 我的任务) under 300 KB; every
other screen is a chunk of its own, loaded when first opened."""
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


def first_load(dist, entries: tuple[str, ...]) -> tuple[dict, set[str], int]:
    """The build's manifest, the files its first screens need, and their scripts' gzip size."""
    manifest = json.loads((dist / ".vite" / "manifest.json").read_text())
    first: set[str] = set()
    for name in entries:
        first |= chunks(manifest, name, set())
    size = sum(len(gzip.compress((dist / f).read_bytes(), 9)) for f in first if f.endswith(".js"))
    return manifest, first, size


def test_the_first_load_is_under_500_kb_gzip_and_the_screens_are_split():
    manifest, first, size = first_load(DIST, FIRST_LOAD)
    print(f"console first load: {size / 1024:.1f} KB gzip")
    assert size < BUDGET, f"{size / 1024:.1f} KB gzip"
    screens = [name for name in manifest if name.startswith("src/views/") and name.endswith("View.vue")
               and name not in FIRST_LOAD]
    assert len(screens) >= 8  # 地图 … 设置, each lazy
    for name in screens:
        assert manifest[name].get("isDynamicEntry"), f"{name} is loaded with the first page"
        assert manifest[name]["file"] not in first


def test_the_field_apps_first_load_is_under_300_kb_gzip():
    manifest, first, size = first_load(DIST / "field", ("index.html", "../src/field/SignInView.vue", "../src/field/TasksView.vue"))
    print(f"field first load: {size / 1024:.1f} KB gzip")
    assert size < 300 * 1024, f"{size / 1024:.1f} KB gzip"
    assert not any("echarts" in f or "leaflet" in f.lower() for f in first)  # none of the console's weight
