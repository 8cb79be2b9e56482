"""Streets, communities, grids: CRUD, parent rules, versions, pagination, locate, scopes."""
from conftest import SQUARE, make_structure, token


def test_lists_filter_by_parent(api, admin):
    ids = make_structure(api, admin)
    other_street = api.post("/v1/streets", admin, {"name": "港城街道"}).json["id"]
    api.post("/v1/communities", admin, {"name": "港城社区", "street_id": other_street})
    r = api.get(f"/v1/communities?street_id={ids['street']}", admin)
    assert [c["name"] for c in r.json["items"]] == ["荷城社区"]
    assert len(api.get("/v1/communities", admin).json["items"]) == 2
    grids = api.get(f"/v1/grids?community_id={ids['community']}", admin).json["items"]
    assert [g["id"] for g in grids] == [ids["grid"]]


def test_delete_street_with_communities_is_409(api, admin):
    ids = make_structure(api, admin)
    r = api.delete(f"/v1/streets/{ids['street']}", admin)
    assert r.status == 409, r
    assert api.get(f"/v1/streets/{ids['street']}", admin).status == 200
    # emptied bottom-up, the street can go
    assert api.delete(f"/v1/grids/{ids['grid']}", admin).status == 204
    assert api.delete(f"/v1/communities/{ids['community']}", admin).status == 204
    assert api.delete(f"/v1/streets/{ids['street']}", admin).status == 204
    assert api.get(f"/v1/streets/{ids['street']}", admin).status == 404


def test_nothing_is_deleted_while_records_point_at_it(api, admin):
    ids = make_structure(api, admin)
    incident = api.post("/v1/incidents", admin, {"category": "sanitation", "description": "x", "grid_id": ids["grid"]}).json
    grid = api.delete(f"/v1/grids/{ids['grid']}", admin)
    assert grid.status == 409 and grid.json["referenced_by"] == [{"kind": "incident", "ids": [incident["id"]]}], grid
    assert "incident" in grid.json["detail"]
    unit = api.post("/v1/units", admin, {"name": "港北区工商局荷城工商所", "kind": "government", "community_id": ids["community"]}).json
    community = api.delete(f"/v1/communities/{ids['community']}", admin)
    assert community.status == 409
    assert {p["kind"]: p["ids"] for p in community.json["referenced_by"]} == {"grid": [ids["grid"]], "unit": [unit["id"]]}
    staff = api.post("/v1/users", admin, {"name": "街道干事", "roles": ["street_staff"], "streets": [ids["street"]]}).json
    street = api.delete(f"/v1/streets/{ids['street']}", admin)
    assert street.status == 409
    assert {p["kind"]: p["ids"] for p in street.json["referenced_by"]} == {"community": [ids["community"]], "user": [staff["id"]]}
    assert api.get(f"/v1/grids/{ids['grid']}", admin).status == 200


def test_a_grid_with_workers_stays_in_its_community_until_they_are_moved(api, admin):
    ids = make_structure(api, admin)
    other = api.post("/v1/communities", admin, {"name": "金港社区", "street_id": ids["street"]}).json["id"]
    worker = api.post("/v1/users", admin, {"name": "网格员", "roles": ["grid_worker"], "grids": [ids["grid"]]}).json
    moved = api.patch(f"/v1/grids/{ids['grid']}", admin, {"community_id": other, "version": 2})
    assert moved.status == 409 and moved.json["referenced_by"] == [{"kind": "grid_worker", "ids": [worker["id"]]}], moved
    api.patch(f"/v1/users/{worker['id']}", admin, {"roles": ["resident"], "grids": [], "version": 1})
    assert api.patch(f"/v1/grids/{ids['grid']}", admin, {"community_id": other, "version": 3}).status == 200


def test_stale_version_is_409_and_nothing_changes(api, admin):
    street = api.post("/v1/streets", admin, {"name": "贵城街道"}).json
    ok = api.patch(f"/v1/streets/{street['id']}", admin, {"name": "贵城街道（新）", "version": 1})
    assert ok.status == 200 and ok.json["version"] == 2 and ok.headers["etag"] == '"2"'
    stale = api.patch(f"/v1/streets/{street['id']}", admin, {"name": "旧名", "version": 1})
    assert stale.status == 409 and stale.json["type"].endswith("/stale-version")
    assert api.get(f"/v1/streets/{street['id']}", admin).json["name"] == "贵城街道（新）"


def test_patch_requires_version(api, admin):
    street = api.post("/v1/streets", admin, {"name": "贵城街道"}).json
    r = api.patch(f"/v1/streets/{street['id']}", admin, {"name": "x"})
    assert r.status == 400 and {e["path"] for e in r.json["errors"]} == {"/version"}


def test_delete_with_stale_if_match(api, admin):
    street = api.post("/v1/streets", admin, {"name": "贵城街道"}).json
    assert api.delete(f"/v1/streets/{street['id']}", admin, headers={"If-Match": '"7"'}).status == 409
    assert api.delete(f"/v1/streets/{street['id']}", admin, headers={"If-Match": '"1"'}).status == 204


def test_moving_a_community_moves_the_child_counts(api, admin):
    ids = make_structure(api, admin)
    new_street = api.post("/v1/streets", admin, {"name": "港城街道"}).json["id"]
    moved = api.patch(f"/v1/communities/{ids['community']}", admin, {"street_id": new_street, "version": 1})
    assert moved.status == 200, moved
    assert api.delete(f"/v1/streets/{ids['street']}", admin).status == 204
    assert api.delete(f"/v1/streets/{new_street}", admin).status == 409
    assert [c["id"] for c in api.get(f"/v1/communities?street_id={new_street}", admin).json["items"]] == [ids["community"]]


def test_pagination_across_pages(api, admin):
    made = [api.post("/v1/streets", admin, {"name": f"街道{i}"}).json["id"] for i in range(7)]
    seen, cursor, pages = [], None, 0
    while True:
        r = api.get("/v1/streets?limit=3" + (f"&cursor={cursor}" if cursor else ""), admin)
        assert r.status == 200 and len(r.json["items"]) <= 3
        seen += [s["id"] for s in r.json["items"]]
        pages += 1
        cursor = r.json["next_cursor"]
        if not cursor:
            break
    assert seen == made  # creation order, no duplicates, nothing missed
    assert pages == 3


def test_tampered_or_foreign_cursor_is_400(api, admin, tenant):
    for i in range(3):
        api.post("/v1/streets", admin, {"name": f"街道{i}"})
    cursor = api.get("/v1/streets?limit=1", admin).json["next_cursor"]
    payload, sig = cursor.split(".")
    forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + sig
    assert api.get(f"/v1/streets?cursor={forged}", admin).status == 400
    assert api.get(f"/v1/streets?cursor={cursor}x", admin).status == 400
    # a valid cursor of one list is no good on another list
    assert api.get(f"/v1/communities?cursor={cursor}", admin).status == 400


def test_locate_inside_edge_hole_outside(api, admin):
    holed = {"type": "Polygon", "coordinates": [
        [[109.60, 23.10], [109.62, 23.10], [109.62, 23.12], [109.60, 23.12], [109.60, 23.10]],
        [[109.605, 23.105], [109.615, 23.105], [109.615, 23.115], [109.605, 23.115], [109.605, 23.105]]]}
    ids = make_structure(api, admin, boundary=holed)
    assert api.get("/v1/grids/locate?lat=23.101&lon=109.601", admin).json["id"] == ids["grid"]
    assert api.get("/v1/grids/locate?lat=23.10&lon=109.61", admin).json["id"] == ids["grid"]  # on the outer edge
    assert api.get("/v1/grids/locate?lat=23.11&lon=109.61", admin).status == 404  # in the hole
    assert api.get("/v1/grids/locate?lat=23.105&lon=109.61", admin).status == 404  # on the hole's edge
    assert api.get("/v1/grids/locate?lat=23.2&lon=109.61", admin).status == 404


def test_community_staff_scope(api, admin, tenant):
    ids = make_structure(api, admin)
    other = api.post("/v1/communities", admin, {"name": "金港社区", "street_id": ids["street"]}).json["id"]
    staff = token("community_staff", tenant, communities=[ids["community"]])
    mine = api.post("/v1/grids", staff, {"name": "新网格", "community_id": ids["community"], "boundary": SQUARE})
    assert mine.status == 201, mine
    assert api.post("/v1/grids", staff, {"name": "越界", "community_id": other}).status == 403
    assert api.post("/v1/streets", staff, {"name": "x"}).status == 403
    # moving a grid out of the staff's community is refused too
    r = api.patch(f"/v1/grids/{mine.json['id']}", staff, {"community_id": other, "version": 1})
    assert r.status == 403
    assert api.get("/v1/streets", staff).status == 200
    worker = token("grid_worker", tenant, grids=[ids["grid"]])
    assert api.get(f"/v1/grids/{ids['grid']}", worker).status == 200
    assert api.post("/v1/streets", worker, {"name": "x"}).status == 403
