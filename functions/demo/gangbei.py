"""Gangbei district (港北区) as the article describes it: 17 communities split into 151 grids.

Street and community names are plausible stand-ins (荷城社区 is the article's own); polygons are
a regular lattice around Guigang's centre (about 23.1 N, 109.6 E) so every grid has a real,
non-overlapping boundary that `/v1/grids/locate` can find.
"""
from __future__ import annotations

from typing import Any

TENANT = {"id": "gangbei", "name": "贵港市港北区", "tier": "standard", "timezone": "Asia/Shanghai"}

STREETS: dict[str, list[str]] = {
    "贵城街道": ["荷城社区", "金港社区", "中山社区", "建设社区", "新世纪社区", "城东社区", "仙衣社区", "东湖社区", "光明社区"],
    "港城街道": ["港城社区", "西江社区", "民主社区", "北山社区", "江滨社区", "城北社区", "南平社区", "新兴社区"],
}

ORIGIN_LON, ORIGIN_LAT = 109.555, 23.075
COMMUNITY_SIZE = 0.015  # degrees, about 1.5 km
CELL = COMMUNITY_SIZE / 3
GRID_TOTAL = 151
# 17 communities × 9 grids is 153: the last two communities have 8, with their last grid two cells wide.
EIGHT_GRID_COMMUNITIES = {"城北社区", "新兴社区"}


def rectangle(lon: float, lat: float, width: float, height: float) -> dict[str, Any]:
    ring = [[lon, lat], [lon + width, lat], [lon + width, lat + height], [lon, lat + height], [lon, lat]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def community_origin(index: int) -> tuple[float, float]:
    return ORIGIN_LON + (index % 6) * COMMUNITY_SIZE, ORIGIN_LAT + (index // 6) * COMMUNITY_SIZE


def grids_of(index: int, community: str) -> list[dict[str, Any]]:
    """The grids of the `index`-th community: name, boundary and the keys of its two grid workers
    (`workers`: the loader makes a user of each, with the grid_worker role over the grid)."""
    lon0, lat0 = community_origin(index)
    cells = [(r, c) for r in range(3) for c in range(3)]
    count = 8 if community in EIGHT_GRID_COMMUNITIES else 9
    grids = []
    for n, (r, c) in enumerate(cells[:count], start=1):
        width = 2 * CELL if count == 8 and n == 8 else CELL
        grids.append({
            "name": f"{community}第{n}网格",
            "boundary": rectangle(lon0 + c * CELL, lat0 + r * CELL, width, CELL),
            "workers": [f"gw-{index + 1:02d}-{n:02d}a", f"gw-{index + 1:02d}-{n:02d}b"],
        })
    return grids

# The departments the article names for joint enforcement (环保、工商和市政等部门), and two more that
# take on grid incidents: (name, kind, contact).
DEPARTMENTS = [("港北区环境保护局", "environment", "韦科长"), ("港北区工商局", "market_regulation", "黄科长"),
               ("港北区市政管理局", "municipal", "李所长"), ("港北区城市管理局", "urban_management", "陈队长"),
               ("贵港市公安局港北分局", "public_security", "覃警官")]
# Which resident unit of each community is a department's local office (credited with its action parts).
UNIT_DEPARTMENT = {"港北区环境保护局{c}联络组": "港北区环境保护局", "港北区工商局{c}工商所": "港北区工商局",
                   "{c}市政管理所": "港北区市政管理局"}

# Resident units of each community, after the rectification (升格/转化/规范): (name, kind, status, Party members).
UNIT_TEMPLATES = [
    ("港北区环境保护局{c}联络组", "government", "upgraded", 14),
    ("港北区工商局{c}工商所", "government", "standardized", 9),
    ("{c}市政管理所", "public_institution", "converted", 6),
    ("{c}社区卫生服务中心", "public_institution", "standardized", 7),
    ("贵港市{c}小学", "public_institution", "upgraded", 11),
    ("国网贵港供电局{c}供电所", "state_enterprise", "upgraded", 10),
    ("贵港市{c}物流有限公司", "non_public_enterprise", "converted", 4),
    ("{c}志愿者协会", "social_organization", "none", 0),
]
SURNAMES = "韦黄李陈覃梁莫蒙潘杨"
GIVEN = ["建华", "秀英", "志强", "丽萍", "国庆", "海燕", "明", "小红", "永德", "春梅"]


def person(n: int) -> str:
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES) + n) % len(GIVEN)]


def agenda(food_stall: bool) -> list[str]:
    items = ["通报上月大党委工作情况", "研究“五齐”共驻共建事项", "审议定向联系“一联一、一帮一、一带一”进展"]
    return (["研究中心城区夜宵摊点乱摆乱卖整治问题"] if food_stall else []) + items


def minutes_text(community: str, period: str, day: int, food_stall: bool) -> str:
    """Minutes of a monthly joint meeting, in the article's words where it has them."""
    decided = ("会议议定：针对中心城区夜宵摊点乱摆乱卖问题，由港北区环境保护局牵头，工商、市政等部门配合，"
               "开展联合执法，限期整治并设置临时疏导点。\n" if food_stall else "会议议定：按“五齐”理念推进本月共驻共建项目。\n")
    return (f"# {community}大党委联席会议纪要\n\n时间：{period}-{day:02d} 15:00\n地点：{community}党群服务中心\n"
            f"主持：大党委书记\n\n## 议题\n" + "".join(f"- {a}\n" for a in agenda(food_stall)) + f"\n## 议定事项\n{decided}")


def food_stall_decision(period: str, department: dict[str, str]) -> dict[str, Any]:
    """The article's example: a joint meeting decides joint enforcement on night food stalls
    (`department`: name → id)."""
    # due within the month decided (and assessed): the clean-up is judged on time or late that month
    due, assist_due = f"{period}-27", f"{period}-24"
    return {"title": "联合整治中心城区夜宵摊点乱摆乱卖",
            "description": "经大党委联席会议商议，组织环保、工商和市政等部门联合执法，提高整治效率。",
            "actions": [{"assignee": department["港北区环境保护局"], "due_date": due, "description": "牵头开展夜宵摊点油烟、噪声联合执法",
                         "assisting": [{"assignee": department["港北区工商局"], "due_date": assist_due},
                                       {"assignee": department["港北区市政管理局"], "due_date": assist_due}]},
                        {"assignee": department["港北区市政管理局"], "due_date": assist_due, "description": "设置夜宵摊点临时疏导点"}]}


# The walkable streets: a lattice every half cell (about 250 m) over the district, cut by the river
# (郁江) along the half cell south of the third row of communities, which two bridges cross.
STREET_SPACING = CELL / 2
RIVER_ROW = 2 * 6 - 1  # the half-cell row (counted from the origin) the river runs through
BRIDGE_COLUMNS = (6, 27)  # the half-cell columns (from the origin) with a bridge


def street_network() -> dict[str, Any]:
    """The demo district's street network as GeoJSON: a LineString per street segment between junctions."""
    columns, rows = 6 * 6, 3 * 6
    def at(col: int, row: int) -> list[float]:
        return [round(ORIGIN_LON + col * STREET_SPACING, 6), round(ORIGIN_LAT + row * STREET_SPACING, 6)]

    features = []
    for row in range(rows + 1):
        for col in range(columns):
            features.append({"type": "Feature", "properties": {"kind": "east-west"},
                             "geometry": {"type": "LineString", "coordinates": [at(col, row), at(col + 1, row)]}})
    for col in range(columns + 1):
        for row in range(rows):
            if row == RIVER_ROW and col not in BRIDGE_COLUMNS:
                continue
            features.append({"type": "Feature", "properties": {"kind": "bridge" if row == RIVER_ROW else "north-south"},
                             "geometry": {"type": "LineString", "coordinates": [at(col, row), at(col, row + 1)]}})
    return {"type": "FeatureCollection", "features": features}
