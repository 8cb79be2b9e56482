"""The demo district from the article: 17 communities, 151 grids, loaded once however often run."""
from conftest import token
from functions.audit import chain
from functions.demo import loader


def test_demo_district_loads_once(api):
    first = loader.load_demo()
    assert first == {"streets": 2, "communities": 17, "grids": 151}
    entries = chain.verify("gangbei")["entries"]
    assert loader.load_demo() == {"streets": 0, "communities": 0, "grids": 0}
    assert chain.verify("gangbei") == {**chain.verify("gangbei"), "ok": True, "entries": entries}

    admin = token("district_admin", "gangbei")
    communities = api.all_items("/v1/communities", admin)
    grids = api.all_items("/v1/grids", admin)
    assert len(communities) == 17 and len(grids) == 151
    assert "荷城社区" in {c["name"] for c in communities}
    assert all(len(g["workers"]) == 2 for g in grids)

    # every grid's own centre locates back to that grid: the boundaries tile without overlap
    for grid in grids[::10]:
        ring = grid["boundary"]["coordinates"][0]
        lon = sum(p[0] for p in ring[:4]) / 4
        lat = sum(p[1] for p in ring[:4]) / 4
        assert api.get(f"/v1/grids/locate?lat={lat}&lon={lon}", admin).json["id"] == grid["id"]
