"""Monthly cost of one district from the prices in `infra/prices.json`, at given request volumes.

    python -m infra.cost [REQUESTS …]      (default: 100000 1000000)

Assumptions (from the app's own access paths, see README "Cost model"): 80 % reads, 20 % writes;
a read is 1 GetItem or Query page (≈ 2 read units) plus the tenant profile (cached 30 s, ≈ 0.2);
a write reads the chain head and the item (≈ 2 units) and commits a transaction of ≈ 3 items of
≤ 1 KB (transactions cost double: 6 write units); each request runs ≈ 150 ms at 1 GB and logs
≈ 1 KB; a district keeps ≈ 2 GB in DynamoDB and ≈ 5 GB of minutes and exports in S3, with
≈ 2,000 object writes and 20,000 reads a month; the monthly assessment adds ≈ 30 SQS requests.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

PRICES = Path(__file__).with_name("prices.json")


def monthly(requests: int, prices: dict[str, float]) -> dict[str, float]:
    reads, writes = requests * 0.8, requests * 0.2
    read_units = reads * 2.2 + writes * 2
    write_units = writes * 6
    gb_seconds = requests * 0.150 * 1.0
    costs = {
        "api_gateway": requests / 1e6 * prices["api_gateway_rest_per_million"],
        "lambda": requests / 1e6 * prices["lambda_requests_per_million"] + gb_seconds * prices["lambda_gb_second"],
        "dynamodb": read_units / 1e6 * prices["dynamodb_read_request_units_per_million"]
        + write_units / 1e6 * prices["dynamodb_write_request_units_per_million"]
        + 2 * (prices["dynamodb_storage_gb_month"] + prices["dynamodb_pitr_gb_month"]),
        "s3": 5 * prices["s3_storage_gb_month"] + 2 * prices["s3_put_per_thousand"] + 20 * prices["s3_get_per_thousand"],
        "logs": requests * 1024 / 1024 ** 3 * prices["cloudwatch_logs_ingest_per_gb"],
        "sqs": 30 / 1e6 * prices["sqs_per_million"],
    }
    costs["total"] = sum(costs.values())
    return {k: round(v, 2) for k, v in costs.items()}


def table(volumes: list[int]) -> str:
    prices = json.loads(PRICES.read_text())
    rows = {n: monthly(n, prices) for n in volumes}
    keys = list(next(iter(rows.values())))
    lines = [f"| {prices['currency']} / district / month (prices as of {prices['as_of']}) | "
             + " | ".join(f"{n:,} requests" for n in volumes) + " |",
             "|---|" + "---:|" * len(volumes)]
    lines += [f"| {k} | " + " | ".join(f"{rows[n][k]:.2f}" for n in volumes) + " |" for k in keys]
    return "\n".join(lines)


if __name__ == "__main__":
    print(table([int(a) for a in sys.argv[1:]] or [100_000, 1_000_000]))
