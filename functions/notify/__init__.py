"""Notifications: events put in an outbox by the writes that cause them (`outbox`), relayed to a
queue (`queue`), delivered off the request path by a worker (`worker`) to each recipient's in-app
inbox (`notices`) and to the groups' 企业微信 and 钉钉 robots (`robots`), every delivery recorded."""
