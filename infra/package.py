"""`make package`: the deployable artefact in `build/<stage>/` (SAM template + deployment.zip).

1. `vendor/` (git-ignored) gets links to `../functions` and `../schemas`: Chalice zips only
   `app.py`, `chalicelib/` and `vendor/`'s contents (following links), so both ship importable
   exactly as locally. `__pycache__` is cleaned, then `functions/` is compiled afresh with
   hash-checked `.pyc` files: Lambda's code folder is read-only, so without them every cold start
   would compile our modules from source again (tens of milliseconds).
2. `.chalice/` (git-ignored) gets a link to `infra/chalice/config.json`, the stage configs, and
   `chalice package` runs (its cache stays in `.chalice/deployments/`).
3. The resources of `infra/template.py` are merged into the template, and every function gets the
   stage's role and environment.

    python -m infra.package [STAGE] [REGION]      (defaults: prod cn-north-1)
"""
from __future__ import annotations

from typing import Any

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def prepare_vendor() -> None:
    import compileall
    import py_compile

    for pycache in list(ROOT.joinpath("functions").rglob("__pycache__")):
        shutil.rmtree(pycache)
    # checked by the source's hash, not its timestamp: the zip's timestamps cannot make Python distrust
    # them, and an edit after packaging is never hidden behind a stale .pyc
    compileall.compile_dir(ROOT / "functions", quiet=1, invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
    vendor = ROOT / "vendor"
    if vendor.is_symlink() or vendor.is_file():
        vendor.unlink()
    vendor.mkdir(exist_ok=True)
    for name in ("functions", "schemas"):
        link = vendor / name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(Path("..") / name)
    # A real, git-ignored .chalice/ holding a link to the tracked stage config: Chalice writes its
    # deployment cache into .chalice/deployments/, which must stay out of the repository.
    dot_chalice = ROOT / ".chalice"
    if dot_chalice.is_symlink():
        dot_chalice.unlink()
    dot_chalice.mkdir(exist_ok=True)
    config = dot_chalice / "config.json"
    if not config.is_symlink():
        config.unlink(missing_ok=True)
        config.symlink_to(Path("..") / "infra" / "chalice" / "config.json")


def merge(template: dict[str, Any], stage: str, region: str) -> dict[str, Any]:
    os.environ["GONGJIAN_TABLE_PREFIX"] = f"gongjian-{stage}"
    from infra.template import PRE_TOKEN, external_identity, function_environment, resources, trigger_environment

    extra = resources(stage, region)
    template["Resources"].update(extra["Resources"])
    if "Parameters" in extra:
        template.setdefault("Parameters", {}).update(extra["Parameters"])
    template.setdefault("Outputs", {}).update(extra.get("Outputs", {}))
    if external_identity(region):  # no user pool there, so nothing calls the trigger
        del template["Resources"][PRE_TOKEN]
    for name, resource in template["Resources"].items():
        if name == PRE_TOKEN:
            resource["Properties"]["Role"] = {"Fn::GetAtt": ["PreTokenRole", "Arn"]}
            resource["Properties"]["Environment"] = trigger_environment(stage)
        elif resource.get("Type") == "AWS::Serverless::Function":
            sealer = resource["Properties"].get("Handler") == "app.seal_audit_digests"
            resource["Properties"]["Role"] = {"Fn::GetAtt": ["AuditSealerRole" if sealer else "ApiRole", "Arn"]}
            resource["Properties"]["Environment"] = function_environment(stage, region)
            for event in resource["Properties"].get("Events", {}).values():
                if event.get("Type") == "SQS":  # the stage's own queue, not the name Chalice saw at import
                    event["Properties"]["Queue"] = {"Fn::GetAtt": [queue_resource(event["Properties"]["Queue"]), "Arn"]}
                if event.get("Type") == "DynamoDB":  # the stage's audit table stream (the only one)
                    event["Properties"]["Stream"] = {"Fn::GetAtt": ["AuditTable", "StreamArn"]}
    return template


def queue_resource(arn: Any) -> str:
    """The template's queue behind the ARN Chalice wrote for an `on_sqs_message` handler."""
    import re

    found = re.search(r"-(notify|assessments|jobs)\b", json.dumps(arn))
    assert found, f"no queue of the template matches {arn}"
    return {"notify": "NotifyQueue", "assessments": "AssessmentQueue", "jobs": "JobsQueue"}[found.group(1)]


def package(stage: str, region: str) -> Path:
    """Build `build/<stage>-<region>/`: the template follows the region (see infra.template)."""
    prepare_vendor()
    out = ROOT / "build" / f"{stage}-{region}"
    if out.exists():
        shutil.rmtree(out)
    chalice = Path(sys.executable).with_name("chalice")
    env = {**os.environ, "AWS_DEFAULT_REGION": region}
    subprocess.run([str(chalice), "--project-dir", str(ROOT), "package", "--stage", stage, str(out)], check=True, cwd=ROOT,
                   env=env)
    sam = out / "sam.json"
    sam.write_text(json.dumps(merge(json.loads(sam.read_text()), stage, region), indent=2, ensure_ascii=False))
    return out


if __name__ == "__main__":
    built = package(sys.argv[1] if len(sys.argv) > 1 else "prod", sys.argv[2] if len(sys.argv) > 2 else "cn-north-1")
    print(f"packaged: {built}/sam.json and {built}/deployment.zip")
