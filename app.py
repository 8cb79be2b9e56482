"""Gongjian (共建) API: the Chalice app. Thin on purpose: it registers one blueprint per area and
the one middleware; business rules live in `functions/`."""
import json
from typing import Any

from chalice.app import Chalice, Cron, Rate

from functions import config

from functions.api import accounts, assessments, audit, committees, exports, grid_work, jobs, meetings, middleware, notifications, platform, services, structure, tasks

app = Chalice(app_name="gongjian", configure_logs=False)
app.api.cors = middleware.CORS  # before the blueprints: routes take the CORS config when registered
app.register_middleware(middleware.handle_request, "http")
app.register_blueprint(platform.bp)
app.register_blueprint(structure.bp)
app.register_blueprint(accounts.bp)
app.register_blueprint(committees.bp)
app.register_blueprint(meetings.bp)
app.register_blueprint(grid_work.bp)
app.register_blueprint(services.bp)
app.register_blueprint(assessments.bp)
app.register_blueprint(audit.bp)
app.register_blueprint(exports.bp)
app.register_blueprint(tasks.bp)
app.register_blueprint(notifications.bp)
app.register_blueprint(jobs.bp)


# Scheduled handlers live on the app, not a blueprint: Chalice imports blueprint event handlers
# directly and would skip the app's setup. Each only calls into functions/.

@app.schedule(Cron(0, 2, 1, "*", "?", "*"), name="meeting-regularity")
def flag_committees_without_joint_meeting(event: Any) -> Any:
    """On the 1st of each month (10:00 Beijing), flag committees with no joint meeting last month."""
    from functions.meetings import regularity

    return regularity.run_all_tenants()


@app.schedule(Rate(1, unit=Rate.HOURS), name="incident-sweep")
def sweep_overdue_incidents(event: Any) -> Any:
    """Every hour: card (yellow, then red) and escalate overdue incidents, once per breach."""
    from functions.grid_work import sweep

    return sweep.run_all_tenants()


@app.schedule(Cron(0, 3, 1, "1,4,7,10", "?", "*"), name="volunteer-quarterly")
def report_volunteer_hours(event: Any) -> Any:
    """At each quarter's start, report last quarter's verified volunteer hours to employing units."""
    from functions.services import volunteers

    return volunteers.run_all_tenants()


@app.schedule(Cron(0, 17, "L", "*", "?", "*"), name="assessment-fanout")
def fan_out_assessments(event: Any) -> Any:
    """01:00 Beijing on the 1st (17:00 UTC on the last day): one message per active tenant."""
    from functions.assessments import fanout

    return fanout.fan_out()


@app.schedule(Rate(5, unit=Rate.MINUTES), name="audit-seal")
def seal_audit_digests(event: Any) -> Any:
    """Every five minutes: link what the chainer left, then sign a digest of each moved chain head.
    Deployed with its own role: the only one that may use the signing key and write digests."""
    from functions.audit import sealing

    return sealing.run_all_tenants()


@app.on_dynamodb_record(stream_arn=config.AUDIT_STREAM_ARN, batch_size=100, name="audit-chainer")
def chain_audit_entries(event: Any) -> Any:
    """New audit entries: link them into each named tenant's hash chain within seconds."""
    from functions.audit import chainer

    return chainer.on_stream(record.to_dict() for record in event)


@app.lambda_function(name="pre-token")
def issue_token_claims(event: Any, context: Any) -> Any:
    """Cognito's pre-token-generation trigger: a token's tenant, roles and scopes come from the user directory."""
    from functions.accounts import pre_token

    return pre_token.handle(event)


@app.on_sqs_message(queue=f"{config.TABLE_PREFIX}-assessments", batch_size=1, name="assessment-worker")
def assess_tenant_month(event: Any) -> Any:
    """One tenant's previous month. Batch size 1: a failing tenant is retried, then dead-lettered, alone."""
    from functions.assessments import fanout

    return [fanout.assess(json.loads(record.body)) for record in event]


class RetryLater(Exception):
    """A delivery failed and will be tried again: the message stays on the queue (after its backoff)."""


@app.on_sqs_message(queue=config.JOBS_QUEUE_NAME, batch_size=1, name="job-worker")
def run_jobs(event: Any) -> Any:
    """One job (an export, an offboarding, an assessment run) to its end, with its progress. A
    transient failure comes back 30 s later; after the third receive the job fails visibly."""
    from functions.jobs import queue, worker

    for record in event:
        receives = int(record.to_dict().get("attributes", {}).get("ApproximateReceiveCount", "1"))
        try:
            worker.handle(json.loads(record.body), receives)
        except worker.RetryLater:
            queue.retry_after(record.receipt_handle, worker.RETRY_SECONDS)
            raise


@app.on_sqs_message(queue=f"{config.TABLE_PREFIX}-notify", batch_size=1, name="notify-worker")
def deliver_notifications(event: Any) -> Any:
    """One notification event: in-app notices and group robots. A failed robot is retried with a
    doubling delay; after the third receive it is recorded as failed (never the write's problem)."""
    from functions.notify import queue, worker

    for record in event:
        receives = int(record.to_dict().get("attributes", {}).get("ApproximateReceiveCount", "1"))
        if not worker.handle(json.loads(record.body), receives):
            queue.retry_after(record.receipt_handle, worker.backoff(receives))
            raise RetryLater(f"retrying after receive {receives}")
