"""The period's report objects in S3: an XLSX with Chinese headers (district ranking, a ranking per
community, per-dimension scores) and a self-contained HTML page with a ranking chart per community
and a radar chart per unit (inline SVG: no scripts, opens anywhere)."""
from __future__ import annotations

import html
import io
from collections import defaultdict
from math import cos, pi, sin
from typing import Any

from functions import storage
from functions.tenancy import TenantContext

DIMENSION_NAMES = {"public_welfare": "公益事业", "sanitation": "社区卫生", "security": "社区治安",
                   "vulnerable_support": "弱势帮扶", "development_planning": "发展谋划"}
FACTOR_NAMES = {"meeting_attendance": "联席会议出勤", "action_completion": "任务按期完成", "pairing_activity": "结对联系",
                "volunteer_hours": "志愿服务时长"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def write(ctx: TenantContext, period: str, run_id: str, results: list[dict[str, Any]]) -> dict[str, str]:
    """Put both reports for a run; returns their keys."""
    from functions import store
    from functions.models import GridsTable

    names = {c.sk: c.data["name"] for c in store.query_all(GridsTable, ctx.key("community"))}
    base = storage.tenant_key(ctx.tenant, "assessments", period, run_id)
    keys = {"xlsx": f"{base}/共驻共建考核-{period}.xlsx", "html": f"{base}/共驻共建考核-{period}.html"}
    storage.put(keys["xlsx"], xlsx(period, results, names), XLSX)
    storage.put(keys["html"], page(period, results, names).encode(), "text/html; charset=utf-8")
    return keys


def links(keys: dict[str, str]) -> dict[str, str]:
    return {kind: storage.presigned_get(key, key.rsplit("/", 1)[-1]) for kind, key in keys.items()}


def _by_community(results: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        groups[r["community_id"]].append(r)
    return groups


def xlsx(period: str, results: list[dict[str, Any]], names: dict[str, str]) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#F2DCDB"})
    headers = ["区排名", "社区内排名", "单位", "总分", "等级", *DIMENSION_NAMES.values(), *FACTOR_NAMES.values()]

    def sheet(name: str, rows: list[dict[str, Any]]) -> None:
        ws = book.add_worksheet(name[:31])
        ws.write_row(0, 0, headers, bold)
        for i, r in enumerate(rows, start=1):
            ws.write_row(i, 0, [r["rank"], r["rank_in_community"], r["name"], r["score"], r["grade"],
                                *[r["dimensions"][d] for d in DIMENSION_NAMES],
                                *[r["factors"][f] if r["factors"][f] is not None else "—" for f in FACTOR_NAMES]])
        ws.set_column(2, 2, 32)
        ws.freeze_panes(1, 0)

    sheet(f"全区排名 {period}", results)
    for n, (community, rows) in enumerate(sorted(_by_community(results).items()), start=1):
        sheet(f"{n:02d} {names.get(community, community)}", rows)
    book.close()
    return out.getvalue()


def _radar(r: dict[str, Any], size: int = 180) -> str:
    centre, radius = size / 2, size / 2 - 28
    names = list(DIMENSION_NAMES)

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -pi / 2 + 2 * pi * i / len(names)
        return centre + radius * value / 100 * cos(angle), centre + radius * value / 100 * sin(angle)

    grid = "".join(f'<polygon points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, level) for i in range(5)))}" '
                   f'fill="none" stroke="#ddd"/>' for level in (25, 50, 75, 100))
    shape = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, r["dimensions"][d]) for i, d in enumerate(names)))
    labels = "".join(f'<text x="{point(i, 118)[0]:.1f}" y="{point(i, 118)[1]:.1f}" font-size="10" text-anchor="middle">'
                     f'{DIMENSION_NAMES[d]}</text>' for i, d in enumerate(names))
    return (f'<svg width="{size}" height="{size}" role="img" aria-label="{html.escape(r["name"])}">{grid}'
            f'<polygon points="{shape}" fill="rgba(200,30,30,.35)" stroke="#c81e1e"/>{labels}</svg>')


def _bars(rows: list[dict[str, Any]]) -> str:
    height = 18 * len(rows) + 10
    bars = "".join(f'<text x="0" y="{18 * i + 14}" font-size="11">{html.escape(r["name"][:16])}</text>'
                   f'<rect x="190" y="{18 * i + 3}" width="{r["score"] * 3:.1f}" height="13" fill="#c81e1e"/>'
                   f'<text x="{195 + r["score"] * 3:.1f}" y="{18 * i + 14}" font-size="11">{r["score"]}</text>'
                   for i, r in enumerate(rows))
    return f'<svg width="560" height="{height}">{bars}</svg>'


def page(period: str, results: list[dict[str, Any]], names: dict[str, str]) -> str:
    parts = [f"<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>共驻共建考核 {period}</title>",
             "<style>body{font-family:system-ui,'PingFang SC','Microsoft YaHei',sans-serif;margin:2em}"
             ".u{display:inline-block;margin:.5em;text-align:center;font-size:12px}</style>",
             f"<h1>共驻共建月度考核 {period}</h1><p>单位数：{len(results)}</p>"]
    for community, rows in sorted(_by_community(results).items()):
        parts.append(f"<h2>{html.escape(names.get(community, community))} 排名</h2>{_bars(rows)}<div>")
        parts += [f"<div class='u'>{_radar(r)}<br>{html.escape(r['name'])}<br>{r['score']} 分 · {r['grade']}</div>"
                  for r in rows]
        parts.append("</div>")
    return "".join(parts) + "</html>"
