"""Cloud Storage JSON API for google-cloud-storage: buckets with every create-time setting,
bucket IAM, objects with generations, preconditions, versioning, and all three upload protocols.

records.py holds the stored resources and stateless rules, models.py the state and the rules
that need it, routes.py the HTTP surface (reads.py: listing and downloads; uploads.py: the
upload protocols), bodies.py the discovery-document checks, serialize.py the JSON resources.
"""

from gkeplan_emulator.service import ClientEndpoint, ServiceSpec
from gkeplan_emulator.services.storage.models import StorageModel
from gkeplan_emulator.services.storage.routes import routes

SERVICE = ServiceSpec(
    "storage",
    make_model=StorageModel,
    routes=routes,
    api="storage.googleapis.com",
    # gcloud default https://storage.googleapis.com/storage/v1/; Terraform
    # StorageBasePathKey "https://storage.googleapis.com/storage/v1/"
    endpoint=ClientEndpoint(
        "storage", "storage", "/storage/v1/", (("storage_custom_endpoint", "/storage/v1/"),)
    ),
)

__all__ = ["SERVICE", "StorageModel", "routes"]
