"""Gongjian (共建): services, models and the shared core behind the Chalice app."""
