"""Accounts: the tenant's user directory (who may act, in which role and scope) and its departments
(环保、工商、市政 …), with the identity provider kept in step (Cognito in AWS, the local issuer here)."""
