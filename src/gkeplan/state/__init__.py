"""gkeplan's state: the document, the store interface and its backends."""

from gkeplan.state.local import LocalStateStore
from gkeplan.state.model import ResourceState, StateDoc
from gkeplan.state.store import LockInfo, StateConflict, StateLocked, StateStore

__all__ = [
    "LocalStateStore",
    "LockInfo",
    "ResourceState",
    "StateConflict",
    "StateDoc",
    "StateLocked",
    "StateStore",
]
