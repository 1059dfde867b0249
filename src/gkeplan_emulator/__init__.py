"""gkeplan's GCP emulator: Kubernetes Engine, IAM, Resource Manager and Cloud Storage, served to
Google's own client libraries over loopback. See `Emulator`."""

from gkeplan_emulator.backend import Backend
from gkeplan_emulator.clientfactory import ClientFactory
from gkeplan_emulator.clock import ManualClock, SystemClock
from gkeplan_emulator.config import EmulatorConfig, FaultRule
from gkeplan_emulator.errors import ApiError
from gkeplan_emulator.runtime import Emulator, Endpoints

__all__ = [
    "ApiError",
    "Backend",
    "ClientFactory",
    "Emulator",
    "EmulatorConfig",
    "Endpoints",
    "FaultRule",
    "ManualClock",
    "SystemClock",
]
