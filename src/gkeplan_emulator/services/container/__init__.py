"""Kubernetes Engine v1: the model (clusters, node pools, operations), what a cluster reports
of itself (outputs), and the routes read from google-cloud-container's HTTP mappings."""

from gkeplan_emulator.services.container.routes import SERVICE

__all__ = ["SERVICE"]
