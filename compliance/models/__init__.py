from .audit import AuditEvent
from .obligations import CLAUSES, Obligation, ObligationKind, ObligationState
from .policy import DeadlinePolicy, RevenueRisk
from .register import Affiliate, PESModel, Provider, ProviderStatusChange
from .system import Heartbeat
from .users import ApiToken, Role, User

__all__ = [
    "Affiliate",
    "ApiToken",
    "AuditEvent",
    "CLAUSES",
    "DeadlinePolicy",
    "RevenueRisk",
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
