"""The field app's count of working time left (web/src/field/workingTime.ts), which a grid worker reads
offline: compiled with the project's TypeScript and run in node against cases worked out by hand on
the district's hours (09:00–12:00, 13:30–17:30), holidays and make-up workdays."""
from __future__ import annotations

import json
import subprocess

import pytest

from conftest import ROOT

WEB = ROOT / "web"
DAY = 420  # working minutes in a day


@pytest.fixture(scope="module")
def working_time(tmp_path_factory):
    """Run the module's functions in node: cases in, answers out."""
    out = tmp_path_factory.mktemp("working-time")
    subprocess.run(["npx", "tsc", "--outDir", str(out), "--module", "es2022", "--target", "es2022", "--skipLibCheck",
                    "src/field/workingTime.ts"], cwd=WEB, check=True, capture_output=True)
    (out / "package.json").write_text('{"type": "module"}')
    script = """
import { describe, workingMinutes } from "./workingTime.js";
const cases = JSON.parse(process.argv[2]);
console.log(JSON.stringify(cases.map(([from, to, holidays, workdays]) => {
  const minutes = workingMinutes(new Date(from), new Date(to), { holidays, workdays }, "Asia/Shanghai");
  return [minutes, describe(minutes, false), describe(minutes, true)];
})));"""
    (out / "run.mjs").write_text(script)

    def run(cases: list[tuple[str, str, list[str], list[str]]]) -> list[list]:
        answer = subprocess.run(["node", str(out / "run.mjs"), json.dumps(cases)], capture_output=True, text=True, check=True)
        return json.loads(answer.stdout)
    return run


def test_working_time_counts_only_the_districts_working_hours(working_time):
    cases = [
        ("2026-11-30T09:00:00+08:00", "2026-11-30T12:00:00+08:00", [], []),  # a Monday morning
        ("2026-11-30T11:00:00+08:00", "2026-11-30T14:30:00+08:00", [], []),  # over the lunch break
        ("2026-12-04T17:00:00+08:00", "2026-12-07T10:00:00+08:00", [], []),  # Friday evening to Monday: no weekend
        ("2026-11-30T17:00:00+08:00", "2026-12-02T09:30:00+08:00", ["2026-12-01"], []),  # over a holiday
        ("2026-12-04T17:00:00+08:00", "2026-12-05T10:00:00+08:00", [], ["2026-12-05"]),  # a make-up Saturday
        ("2026-11-30T20:00:00+08:00", "2026-12-02T11:00:00+08:00", [], []),  # from the night before: a day and 2 h
        ("2026-12-01T10:30:00+08:00", "2026-12-01T10:00:00+08:00", [], []),  # past due
    ]
    assert working_time(cases) == [
        [180, "剩余 3 小时", "3 h left"],
        [120, "剩余 2 小时", "2 h left"],
        [90, "剩余 1 小时 30 分钟", "1 h 30 min left"],
        [60, "剩余 1 小时", "1 h left"],
        [90, "剩余 1 小时 30 分钟", "1 h 30 min left"],
        [DAY + 120, "剩余 1 个工作日 2 小时", "1 working day 2 h left"],
        [-30, "已超时 30 分钟", "30 min overdue"],
    ]
