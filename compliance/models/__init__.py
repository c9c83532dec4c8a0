from .audit import AuditEvent
from .register import Affiliate, PESModel, Provider, ProviderStatusChange
from .system import Heartbeat
from .users import ApiToken, Role, User

__all__ = [
    "Affiliate",
    "ApiToken",
    "AuditEvent",
    "Heartbeat",
    "PESModel",
    "Provider",
    "ProviderStatusChange",
    "Role",
    "User",
]
