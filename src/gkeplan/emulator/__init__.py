"""gkeplan's GCP emulator: Kubernetes Engine, IAM, Resource Manager and Cloud Storage, served to
Google's own client libraries over loopback. See `Emulator`."""

from gkeplan.emulator.backend import Backend
from gkeplan.emulator.clientfactory import ClientFactory
from gkeplan.emulator.clock import ManualClock, SystemClock
from gkeplan.emulator.config import EmulatorConfig, FaultRule
from gkeplan.emulator.errors import ApiError
from gkeplan.emulator.runtime import Emulator, Endpoints

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
