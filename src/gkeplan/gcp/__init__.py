"""Talking to Google Cloud: one place that builds clients, credentials and retry policies.

Only plan/apply paths import this package; `gkeplan validate` never does.
"""
