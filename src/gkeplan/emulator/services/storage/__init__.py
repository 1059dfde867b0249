"""Cloud Storage JSON API for google-cloud-storage: buckets with every create-time setting,
bucket IAM, objects with generations, preconditions, versioning, and all three upload protocols.

models.py holds state and rules, routes.py the HTTP surface, uploads.py the upload protocols,
bodies.py the discovery-document checks, serialize.py the JSON resources.
"""

from gkeplan.emulator.services.storage.models import StorageModel
from gkeplan.emulator.services.storage.routes import register

__all__ = ["StorageModel", "register"]
