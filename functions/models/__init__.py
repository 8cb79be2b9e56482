"""PynamoDB models, one per table. See `base` for the shared key design."""
from functions.models.tables import ALL_TABLES, AssessmentsTable, AuditTable, CommitteesTable, ExportsTable, GridsTable, JobsTable, MeetingsTable, PlatformTable, ServicesTable, TasksTable

__all__ = ["ALL_TABLES", "AssessmentsTable", "AuditTable", "CommitteesTable", "ExportsTable", "GridsTable", "JobsTable", "MeetingsTable", "PlatformTable", "ServicesTable", "TasksTable"]
