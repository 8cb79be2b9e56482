"""Loads the demo district through the same services the API uses, so it is audited like any
other write. Ids are fixed by each object's natural key: a second load finds everything and
writes nothing. Later areas add their own `load_*` step here."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import json
from datetime import date, timedelta

from functions import ids, store
from functions.accounts import departments
from functions.committees import alliances, branches, committees, members, pairings, units
from functions.demo import gangbei
from functions.errors import ProblemError
from functions.meetings import decisions, meetings, minutes
from functions.periods import month_bounds, previous_month
from functions.models import CommitteesTable, GridsTable, MeetingsTable
from functions.platform import tenants
from functions.structure import service as structure
from functions.tenancy import COMMUNITY_STAFF, DEPARTMENT, PLATFORM_ADMIN, Principal, TenantContext, system_context

SYSTEM_ADMIN = Principal(sub="system", roles=frozenset({PLATFORM_ADMIN}))


def ensure_tenant() -> TenantContext:
    try:
        tenants.get_tenant(gangbei.TENANT["id"])
    except ProblemError:
        tenants.create_tenant(SYSTEM_ADMIN, gangbei.TENANT)
    return system_context(gangbei.TENANT["id"], gangbei.TENANT["timezone"])


def _ensure(ctx: TenantContext, kind: str, item_id: str, body: dict[str, Any]) -> bool:
    if store.exists(GridsTable, ctx, kind, item_id):
        return False
    structure.create(ctx, kind, body, item_id=item_id)
    return True


def load_structure(ctx: TenantContext) -> dict[str, int]:
    created = {"streets": 0, "communities": 0, "grids": 0}
    index = 0
    for street_no, (street_name, communities) in enumerate(gangbei.STREETS.items()):
        street_id = ids.stable_id(ctx.tenant, "street", street_name, seq=street_no)
        created["streets"] += _ensure(ctx, "street", street_id, {"name": street_name})
        for community_name in communities:
            community_id = ids.stable_id(ctx.tenant, "community", community_name, seq=index)
            created["communities"] += _ensure(ctx, "community", community_id,
                                              {"name": community_name, "street_id": street_id})
            for n, grid in enumerate(gangbei.grids_of(index, community_name)):
                grid_id = ids.stable_id(ctx.tenant, "grid", grid["name"], seq=index * 10 + n)
                created["grids"] += _ensure(ctx, "grid", grid_id, {"name": grid["name"], "boundary": grid["boundary"],
                                                                   "community_id": community_id})
            index += 1
    return created


def department_ids(ctx: TenantContext) -> dict[str, str]:
    """The demo departments' ids by name."""
    return {name: ids.stable_id(ctx.tenant, "department", name, seq=n) for n, (name, _, _) in enumerate(gangbei.DEPARTMENTS)}


def load_departments(ctx: TenantContext) -> dict[str, int]:
    created = {"departments": 0}
    for n, ((name, kind, contact), department_id) in enumerate(zip(gangbei.DEPARTMENTS, department_ids(ctx).values())):
        created["departments"] += _create_once(ctx, "department", department_id, departments.create_department, {
            "name": name, "kind": kind, "contacts": [{"name": contact, "phone": f"0775-421{n:04d}"}]})
    return created


def user_id(ctx: TenantContext, key: str) -> str:
    """A demo user's id, fixed by a readable key (`secretary-01`, `gw-01-01a`, …)."""
    return ids.stable_id(ctx.tenant, "user", key)


def load_users(ctx: TenantContext) -> dict[str, int]:
    """Everyone who works in the demo district, as users of its directory: the district admin, a
    street office per street, each community's secretary, two grid workers per grid, a user of each
    department, an employer's contact in 荷城社区 and a resident there."""
    from functions.accounts import users
    from functions.models import PlatformTable

    created = {"users": 0}

    def once(key: str, body: dict[str, Any]) -> None:
        item_id = user_id(ctx, key)
        if not store.exists(PlatformTable, ctx, "user", item_id):
            users.create_user(ctx, body, item_id=item_id)
            created["users"] += 1

    once("district-admin", {"name": "韦主任（区委组织部）", "roles": ["district_admin"], "phone": "13807750001"})
    community_index = 0
    for s_no, (street, communities) in enumerate(gangbei.STREETS.items()):
        once(f"street-{s_no + 1:02d}", {"name": f"{street}党工委 黄干事", "roles": ["street_staff"],
                                         "streets": [ids.stable_id(ctx.tenant, "street", street, seq=s_no)]})
        for community in communities:
            index = community_index
            community_id = ids.stable_id(ctx.tenant, "community", community, seq=index)
            once(f"secretary-{index + 1:02d}", {"name": f"{community}书记 {gangbei.person(index * 5)}",
                                                "roles": ["community_staff"], "communities": [community_id]})
            for n, grid in enumerate(gangbei.grids_of(index, community)):
                grid_id = ids.stable_id(ctx.tenant, "grid", grid["name"], seq=index * 10 + n)
                for w, key in enumerate(grid["workers"]):
                    once(key, {"name": f"{grid['name']}网格员 {gangbei.person(index * 20 + n * 2 + w)}",
                               "roles": ["grid_worker"], "grids": [grid_id]})
            community_index += 1
    for (name, _, contact), department_id in zip(gangbei.DEPARTMENTS, department_ids(ctx).values()):
        once(f"department-{department_id}", {"name": f"{name} {contact}", "roles": ["department"],
                                             "departments": [department_id]})
    hecheng = ids.stable_id(ctx.tenant, "community", gangbei.STREETS["贵城街道"][0], seq=0)
    employer_unit = ids.stable_id(ctx.tenant, "unit", "荷城社区", gangbei.UNIT_TEMPLATES[0][0], seq=0)
    once("employer-hecheng", {"name": "港北区环境保护局荷城联络组 人事专员", "roles": ["employer"], "units": [employer_unit]})
    once("resident-hecheng", {"name": "荷城社区居民 王女士", "roles": ["resident"], "communities": [hecheng],
                              "phone": "13807750002"})
    return created


def _create_once(ctx: TenantContext, kind: str, item_id: str, create: Callable[..., Any], body: dict[str, Any]) -> bool:
    """Create a committees-area object unless it exists (the demo's idempotency)."""
    if store.exists(CommitteesTable, ctx, kind, item_id):
        return False
    create(ctx, body, item_id=item_id)
    return True


def load_committees(ctx: TenantContext) -> dict[str, int]:
    """Units and a big Party committee in every community; in 荷城社区 (the article's) also members,
    two building branches (one short of six members, so it carries a warning) and pairings; and the
    district's non-public-enterprise alliance."""
    created = {"units": 0, "committees": 0, "members": 0, "branches": 0, "pairings": 0, "alliances": 0}
    firms: list[str] = []
    hecheng_units: list[str] = []
    for index, community in enumerate(c for cs in gangbei.STREETS.values() for c in cs):
        community_id = ids.stable_id(ctx.tenant, "community", community, seq=index)
        short = community.removesuffix("社区")
        unit_ids = []
        for n, (template, kind, status, party) in enumerate(gangbei.UNIT_TEMPLATES):
            unit_id = ids.stable_id(ctx.tenant, "unit", community, template, seq=index * 10 + n)
            office = gangbei.UNIT_DEPARTMENT.get(template)
            created["units"] += _create_once(ctx, "unit", unit_id, units.create_unit, {
                "name": template.format(c=short), "kind": kind, "community_id": community_id,
                "party_org": {"status": status, "members": party},
                **({"department_id": department_ids(ctx)[office]} if office else {})})
            unit_ids.append(unit_id)
            if kind == "non_public_enterprise":
                firms.append(unit_id)
        roles = ["secretary", "deputy_secretary", "member", "member", "member"]
        created["committees"] += _create_once(ctx, "committee", ids.stable_id(ctx.tenant, "committee", community, seq=index),
                                              committees.create_committee, {
            "community_id": community_id, "name": f"{community}大党委", "secretary_user_id": user_id(ctx, f"secretary-{index + 1:02d}"),
            "members": [{"unit_id": u, "name": gangbei.person(index * 5 + k), "role": role}
                        for k, (u, role) in enumerate(zip(unit_ids, roles))]})
        if index == 0:
            hecheng_units = unit_ids
    hecheng = ids.stable_id(ctx.tenant, "community", gangbei.STREETS["贵城街道"][0], seq=0)
    member_ids = []
    for n in range(10):
        member_id = ids.stable_id(ctx.tenant, "member", str(n), seq=n)
        created["members"] += _create_once(ctx, "member", member_id, members.create_member, {
            "name": gangbei.person(100 + n), "unit_id": hecheng_units[n % 6], "in_service": n % 2 == 0,
            **({"reported_community_id": hecheng} if n % 2 == 0 else {}), "user_id": f"member-{n:02d}"})
        member_ids.append(member_id)
    for b, (name, group) in enumerate([("荷城小区1-2栋党支部", member_ids[:7]), ("荷城小区3栋党支部", member_ids[7:])]):
        created["branches"] += _create_once(ctx, "branch", ids.stable_id(ctx.tenant, "branch", name, seq=b),
                                            branches.create_branch, {
            "community_id": hecheng, "name": name, "buildings": name.removeprefix("荷城小区").removesuffix("党支部").split("-"),
            "members": [{"member_id": m, "role": "secretary" if k == 0 else ("group_leader" if k == 1 else "member")}
                        for k, m in enumerate(group)],
            "service_team": {"secretary_member_id": group[0], "group_leader_member_ids": group[1:2],
                             "unit_service_team": hecheng_units[2:4], "resident_member_ids": group[2:],
                             "residents_served": 60 + 40 * b}})
    long_ago = (date.fromisoformat(ids.today_in(ctx.timezone)) - timedelta(days=75)).isoformat()
    for p, (kind, a, b, started) in enumerate([("help", 0, 6, long_ago), ("link", 1, 7, None), ("lead", 4, 2, None)]):
        body = {"kind": kind, "from_unit_id": hecheng_units[a], "to_unit_id": hecheng_units[b], "cadence_days": 30,
                **({"started_on": started} if started else {})}
        created["pairings"] += _create_once(ctx, "pairing", ids.stable_id(ctx.tenant, "pairing", str(p), seq=p),
                                            pairings.create_pairing, body)
    alliance_id = ids.stable_id(ctx.tenant, "alliance", "非公党建联盟")
    if _create_once(ctx, "alliance", alliance_id, alliances.create_alliance,
                    {"name": "港北区非公有制企业党建联盟", "unit_ids": firms}):
        created["alliances"] += 1
        month = ids.today_in(ctx.timezone)[:8]
        for day, kind, text in [("02", "training", "非公企业党员联合培训"), ("05", "activity", "联合开展主题党日"),
                                ("08", "system", "共建联盟议事制度"), ("12", "position", "共建党员活动阵地"),
                                ("15", "service", "帮助会员企业解决融资、用工难题")]:
            alliances.create_alliance_activity(ctx, alliance_id, {"kind": kind, "date": month + day, "description": text})
    return created


def _secretary(ctx: TenantContext, index: int, community_id: str) -> TenantContext:
    """The demo committee secretary's own context, as their token (`make token SUB=<their id>`) gives it."""
    return TenantContext(tenant=ctx.tenant, timezone=ctx.timezone, principal=Principal(
        sub=user_id(ctx, f"secretary-{index + 1:02d}"), roles=frozenset({COMMUNITY_STAFF}), tenant=ctx.tenant,
        communities=frozenset({community_id})))


def load_meetings(ctx: TenantContext) -> dict[str, int]:
    """Last month's joint meeting of every committee, with minutes approved by its secretary;
    荷城社区's decided the joint clean-up of night food stalls. Minutes objects are put back when the
    version their records pin is gone (same bytes, same key): the local S3 server keeps objects in
    memory only."""
    created = {"meetings": 0, "minutes": 0, "decisions": 0}
    period = previous_month(ctx.timezone)
    for index, community in enumerate(c for cs in gangbei.STREETS.values() for c in cs):
        community_id = ids.stable_id(ctx.tenant, "community", community, seq=index)
        unit_ids = [ids.stable_id(ctx.tenant, "unit", community, t[0], seq=index * 10 + n)
                    for n, t in enumerate(gangbei.UNIT_TEMPLATES)]
        meeting_id = ids.stable_id(ctx.tenant, "meeting", community, period, seq=index)
        day = 3 + index % 20
        text = gangbei.minutes_text(community, period, day, food_stall=index == 0).encode()
        if store.exists(MeetingsTable, ctx, "meeting", meeting_id):
            minutes.restore(ctx, meeting_id, text, "text/markdown")
            continue
        meetings.create_meeting(ctx, {
            "committee_id": ids.stable_id(ctx.tenant, "committee", community, seq=index), "kind": "joint",
            "scheduled_at": f"{period}-{day:02d}T15:00:00+08:00", "location": f"{community}党群服务中心",
            "chair": gangbei.person(index * 5), "agenda": gangbei.agenda(food_stall=index == 0),
            "attendees": [{"unit_id": u, "name": gangbei.person(index * 5 + k), "present": (index + k) % 5 != 4}
                          for k, u in enumerate(unit_ids)]}, item_id=meeting_id)
        secretary = _secretary(ctx, index, community_id)
        minutes.put_text(secretary, meeting_id, text, "text/markdown", None)
        minutes.approve(secretary, meeting_id, 1, {"note": "同意"})
        created["meetings"] += 1
        created["minutes"] += 1
        if index == 0:
            decided = decisions.create_decision(ctx, meeting_id, gangbei.food_stall_decision(period, department_ids(ctx)))
            work_food_stall_actions(ctx, decided["actions"], period)
            created["decisions"] += 1
    return created


def work_food_stall_actions(ctx: TenantContext, actions: list[dict[str, Any]], period: str) -> None:
    """As the departments worked them: the temporary stall sites (市政) signed off, finished and done on
    time; the joint enforcement signed off by all three, the lead at 80 % and 工商 at 60 % at month's end."""
    def department_ctx(department_id: str) -> TenantContext:
        """The department's demo user, as their token gives them."""
        return TenantContext(tenant=ctx.tenant, timezone=ctx.timezone, principal=Principal(
            sub=user_id(ctx, f"department-{department_id}"), roles=frozenset({DEPARTMENT}), tenant=ctx.tenant,
            departments=frozenset({department_id})))

    enforcement, sites = actions
    version = sites["version"]
    municipal = department_ctx(sites["parts"][0]["assignee"])
    version = decisions.sign_off_part(municipal, sites["id"], 0, {"note": "已签收", "version": version})["version"]
    version = decisions.report_part_progress(municipal, sites["id"], 0, {"progress": 100, "note": "设置疏导点 4 处",
                                                                        "version": version})["version"]
    decisions.update_action(ctx, sites["id"], {"status": "done", "version": version}, at=f"{period}-22T17:00:00+08:00")
    version = enforcement["version"]
    for index, progress in ((0, 80), (1, 60), (2, 100)):
        worker = department_ctx(enforcement["parts"][index]["assignee"])
        version = decisions.sign_off_part(worker, enforcement["id"], index, {"version": version})["version"]
        version = decisions.report_part_progress(worker, enforcement["id"], index, {"progress": progress,
                                                                                    "version": version})["version"]


INCIDENT_STORIES = [
    ("sanitation", "夜宵摊点油烟、垃圾扰民"), ("public_security", "小区电动车被盗"), ("dispute", "邻里漏水纠纷"),
    ("safety_hazard", "楼道堆放杂物堵塞消防通道"), ("public_service", "路灯不亮"), ("sanitation", "垃圾清运不及时"),
    ("dispute", "物业费纠纷"), ("safety_hazard", "井盖缺失"), ("public_security", "夜间噪音扰民"), ("other", "流浪犬伤人隐患"),
]
# How far each demo incident got: every state of the loop, most of them closed.
INCIDENT_PATHS = [
    ["accept", "dispatch", "start", "resolve", "verify", "close"]] * 5 + [
    [], ["accept"], ["accept", "dispatch"], ["accept", "dispatch", "start"], ["accept", "dispatch", "start", "resolve"],
    ["accept", "dispatch", "start", "resolve", "verify"], ["reject"], ["escalate", "accept"]]


def load_grid_work(ctx: TenantContext) -> dict[str, int]:
    """Incidents over the last month, about one per grid, in every state of the loop; those left
    unaccepted are overdue (the hourly sweep cards them)."""
    from functions.grid_work import incidents

    created = {"incidents": 0}
    start, _ = month_bounds(ctx.timezone, previous_month(ctx.timezone))  # fixed within a month: ids repeat
    index = 0
    for c, community in enumerate(c for cs in gangbei.STREETS.values() for c in cs):
        for n, grid in enumerate(gangbei.grids_of(c, community)):
            grid_id = ids.stable_id(ctx.tenant, "grid", grid["name"], seq=c * 10 + n)
            at = start + timedelta(hours=4.7 * index)
            incident_id = ids.stable_id(ctx.tenant, "incident", grid["name"], at=at)
            index += 1
            if store.exists(GridsTable, ctx, "incident", incident_id):
                continue
            category, text = INCIDENT_STORIES[index % len(INCIDENT_STORIES)]
            incidents.report(ctx, {"category": category, "description": text, "grid_id": grid_id,
                                   "priority": "urgent" if index % 9 == 0 else "normal",
                                   "source": ["grid_patrol", "hotline_12345", "resident_report"][index % 3]},
                             item_id=incident_id, reported_at=at)
            for step, action in enumerate(INCIDENT_PATHS[index % len(INCIDENT_PATHS)], start=1):
                body = {"action": action, "note": "演示数据", "assignee": user_id(ctx, grid["workers"][0]),
                        **({"satisfaction": 4 + index % 2} if action == "close" else {})}
                incidents.transition(ctx, incident_id, body, at=at + timedelta(hours=3 * step))
            created["incidents"] += 1
    return created


# Communities without a centre of their own: their outer grids fall outside the 20-minute circle.
NO_CENTRE = {"光明社区", "东湖社区", "新兴社区", "南平社区", "城北社区", "北山社区", "仙衣社区"}


def load_services(ctx: TenantContext) -> dict[str, int]:
    """Service centres at three levels, 荷城社区's programmes (阳光妈妈俱乐部, 妇女儿童之家), service
    requests and last month's volunteer hours of its in-service members."""
    from functions.services import centres, programmes, requests, street_network, volunteers
    from functions.models import ServicesTable

    created = {"centres": 0, "programmes": 0, "service_requests": 0, "volunteer_activities": 0}

    def once(kind: str, key: str, create: Callable[..., Any], body: dict[str, Any], seq: int = 0) -> None:
        item_id = ids.stable_id(ctx.tenant, kind, key, seq=seq)
        if not store.exists(ServicesTable, ctx, kind, item_id):
            create(ctx, body, item_id=item_id)
            created[{"centre": "centres", "programme": "programmes", "service_request": "service_requests",
                     "volunteer_activity": "volunteer_activities"}[kind]] += 1

    once("centre", "district", centres.create_centre, {"name": "港北区党群服务中心", "level": "district",
         "location": {"lat": 23.0975, "lon": 109.5925}, "opening_hours": "周一至周日 8:00-20:00"})
    for s_no, street in enumerate(gangbei.STREETS):
        street_id = ids.stable_id(ctx.tenant, "street", street, seq=s_no)
        lon, lat = gangbei.community_origin(s_no * 8 + 2)
        once("centre", street, centres.create_centre, {"name": f"{street}党群服务中心", "level": "street", "street_id": street_id,
             "location": {"lat": lat + 0.0075, "lon": lon + 0.0075}, "opening_hours": "周一至周五 8:30-17:30"}, seq=1 + s_no)
    hecheng = ""
    for index, community in enumerate(c for cs in gangbei.STREETS.values() for c in cs):
        community_id = ids.stable_id(ctx.tenant, "community", community, seq=index)
        hecheng = hecheng or community_id
        if community in NO_CENTRE:
            continue
        lon, lat = gangbei.community_origin(index)
        once("centre", community, centres.create_centre, {"name": f"{community}党群服务中心", "level": "community",
             "community_id": community_id, "location": {"lat": round(lat + 0.0075, 6), "lon": round(lon + 0.0075, 6)},
             "opening_hours": "周一至周六 8:30-18:00"}, seq=10 + index)
    network = json.dumps(gangbei.street_network(), ensure_ascii=False, separators=(",", ":")).encode()
    street_network.load_bytes(ctx, network, "港北区步行路网（示例）/ Gangbei walking streets (demo)")
    for n, (name, audience) in enumerate([("阳光妈妈俱乐部", "单亲妈妈"), ("妇女儿童之家", "妇女儿童")]):
        once("programme", name, programmes.create_programme, {"name": name, "community_id": hecheng, "audience": audience,
             "description": "解决就业、子女教育和家政等困难"}, seq=n)
    for n, (kind, mode, text) in enumerate([("employment", "door_to_door", "单亲妈妈求职帮扶"),
                                           ("education", "one_stop", "子女入学咨询"), ("household", "door_to_door", "家政服务对接")]):
        once("service_request", str(n), requests.create_service_request, {"type": kind, "mode": mode, "community_id": hecheng,
             "description": text, "contact": {"name": gangbei.person(200 + n)}}, seq=n)
    month = previous_month(ctx.timezone)
    for n in range(0, 10, 2):  # the in-service members of 荷城社区
        member_id = ids.stable_id(ctx.tenant, "member", str(n), seq=n)
        for week in range(4):
            key = f"{n}-{week}"
            item_id = ids.stable_id(ctx.tenant, "volunteer_activity", key, seq=n * 10 + week)
            if store.exists(ServicesTable, ctx, "volunteer_activity", item_id):
                continue
            volunteers.create_volunteer_activity(ctx, {"member_id": member_id, "date": f"{month}-{3 + 7 * week:02d}",
                                                       "hours": 2 + (n + week) % 3, "description": "在职党员进社区志愿服务",
                                                       "dimension": ["sanitation", "security", "public_welfare", "vulnerable_support"][week]},
                                                 item_id=item_id)
            volunteers.verify(ctx, item_id, {"verified": True})
            created["volunteer_activities"] += 1
    return created


COBUILDING_STORIES = {
    "public_welfare": "参与社区公益募捐与义诊", "sanitation": "清理背街小巷卫生死角", "security": "组织治安巡逻、天网工程信息员值守",
    "vulnerable_support": "走访慰问困难群众、单亲妈妈", "development_planning": "参加社区发展议事会",
}


# Activities a unit does in the month: most units a few, a tenth none, a tenth a lot — a spread a
# district would recognise, not an even one.
EFFORT = [0, 1, 2, 3, 3, 4, 4, 5, 5, 6]


def load_assessments(ctx: TenantContext) -> dict[str, int]:
    """Last month's co-building activities of every unit — more and broader for some than others —
    and that month's assessment."""
    from functions.assessments import activities, runs
    from functions.models import AssessmentsTable

    created = {"cobuilding_activities": 0, "assessments": 0}
    period = previous_month(ctx.timezone)
    dimensions = list(COBUILDING_STORIES)
    for index, community in enumerate(c for cs in gangbei.STREETS.values() for c in cs):
        for n, template in enumerate(gangbei.UNIT_TEMPLATES):
            unit_id = ids.stable_id(ctx.tenant, "unit", community, template[0], seq=index * 10 + n)
            effort = EFFORT[(index * 7 + n * 3 + 3) % len(EFFORT)]  # 荷城 (index 0), the article's model, has no idle unit
            for k in range(effort):
                item_id = ids.stable_id(ctx.tenant, "cobuilding", unit_id, period, str(k), seq=k)
                if store.exists(AssessmentsTable, ctx, "cobuilding_activity", item_id):
                    continue
                dimension = dimensions[(n + k * (1 + index % 2)) % 5]
                activities.create_cobuilding_activity(ctx, {
                    "unit_id": unit_id, "dimension": dimension, "date": f"{period}-{1 + (k * 6 + n) % 27:02d}",
                    "participants": 2 + (index + k) % 12, "hours": 1 + (n + k) % 4, "beneficiaries": 20 * (1 + k),
                    "description": COBUILDING_STORIES[dimension]}, item_id=item_id)
                created["cobuilding_activities"] += 1
    if runs.state(ctx, period) is None:
        runs.run_period(ctx, period)
        created["assessments"] += 1
    return created


def load_demo() -> dict[str, int]:
    """Load (or top up) the demo district; returns how many objects of each kind were created."""
    from functions.tasks.backfill import backfill

    ctx = ensure_tenant()
    counts = {**load_structure(ctx), **load_departments(ctx), **load_committees(ctx), **load_users(ctx),
              **load_meetings(ctx), **load_grid_work(ctx), **load_services(ctx), **load_assessments(ctx)}
    from functions.audit import chainer

    tasks_backfilled = backfill(ctx)  # a stack kept from before the task list
    return {**counts, "tasks_backfilled": tasks_backfilled, "audit_linked": chainer.link(ctx.tenant)}
