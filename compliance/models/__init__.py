from .audit import AuditEvent
from .obligations import CLAUSES, Obligation, ObligationKind, ObligationState
from .register import Affiliate, PESModel, Provider, ProviderStatusChange
from .system import Heartbeat
from .users import ApiToken, Role, User

__all__ = [
    "Affiliate",
    "ApiToken",
    "AuditEvent",
    "CLAUSES",
    "Obligation",
    "ObligationKind",
    "ObligationState",
    "Heartbeat",
    "PESModel",
    "Provider",
    "ProviderStatusChange",
    "Role",
    "User",
]
