"""One PynamoDB model per DynamoDB table: the single definition of each table's keys and indexes.

The CloudFormation template and the local stack both derive tables from `ALL_TABLES`.
"""
from __future__ import annotations

from functions.models.base import Gsi1, Gsi2, Gsi3, Gsi4, TenantItem, table_meta


class PlatformTable(TenantItem):
    """Tenant profiles (`<tenant>#tenant`/`profile`, listed on gsi1 `platform#tenants`) and
    idempotency records (`<tenant>#idem`/`<sub>#<key>`, expiring by TTL)."""

    Meta = table_meta("platform")
    gsi1 = Gsi1()


class GridsTable(TenantItem):
    """District structure and grid work: streets, communities, grids, incidents (with their
    category catalogue and working-day calendars) and patrols."""

    Meta = table_meta("grids")
    gsi1 = Gsi1()
    gsi2 = Gsi2()
    gsi3 = Gsi3()
    gsi4 = Gsi4()


class CommitteesTable(TenantItem):
    """Party organisation: units, big Party committees, building branches, Party members,
    pairings with their contacts, and the non-public-enterprise alliance with its activities."""

    Meta = table_meta("committees")
    gsi1 = Gsi1()
    gsi2 = Gsi2()


class MeetingsTable(TenantItem):
    """Joint and expanded meetings, their minutes revisions and uploads, decisions and the actions
    that follow them, and the monthly regularity flags."""

    Meta = table_meta("meetings")
    gsi1 = Gsi1()
    gsi2 = Gsi2()


class ServicesTable(TenantItem):
    """The three-level service network: service centres, service requests, in-service members'
    volunteer activities with their quarterly reports to employing units, and programmes."""

    Meta = table_meta("services")
    gsi1 = Gsi1()
    gsi2 = Gsi2()


class AssessmentsTable(TenantItem):
    """Co-building activities (五齐), assessment rules (versioned), assessment runs and their
    results, the per-period publication state and appeals."""

    Meta = table_meta("assessments")
    gsi1 = Gsi1()
    gsi2 = Gsi2()


class ExportsTable(TenantItem):
    """Export jobs, one record per tenant of a job."""

    Meta = table_meta("exports")


class JobsTable(TenantItem):
    """Long work run by the job worker, under the district of the user who started it
    (`<tenant>#job` / id, or `platform#job` for auditors and platform admins): gsi1 lists a user's
    jobs newest first, gsi2 a user's jobs of one kind."""

    Meta = table_meta("jobs")
    gsi1 = Gsi1()
    gsi2 = Gsi2()


class TasksTable(TenantItem):
    """Open tasks, under the audience that must act (`<tenant>#task#<audience>` / `<kind>#<object id>`):
    written and removed in the same transactions as the objects they come from."""

    Meta = table_meta("tasks")


class AuditTable(TenantItem):
    """The hash-chained audit log: per tenant, each write's pending entry, the linked entries, the
    chain's head and the last sealed digest (see functions.audit.chain). Its stream (keys only)
    tells the chainer which tenants have pending entries."""

    Meta = table_meta("audit", stream_view_type="KEYS_ONLY")
    gsi1 = Gsi1()


ALL_TABLES: tuple[type[TenantItem], ...] = (PlatformTable, GridsTable, CommitteesTable, MeetingsTable, ServicesTable, AssessmentsTable, ExportsTable, JobsTable, TasksTable, AuditTable)
