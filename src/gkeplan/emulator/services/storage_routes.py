"""Kept for the registry in services/__init__.py: Cloud Storage now lives in services/storage/."""

from gkeplan.emulator.services.storage.routes import register

__all__ = ["register"]
