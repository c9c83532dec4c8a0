from .audit import AuditEvent
from .changes import PublishedChange
from .extensions import ExtensionRequest, ExtensionState
from .obligations import CLAUSES, Obligation, ObligationKind, ObligationState
from .policy import DeadlinePolicy, RevenueRisk
from .procedures import ProcedureDocument, ProcedureReview
from .proceedings import (
    Outcome,
    Proceeding,
    ProceedingKind,
    ProceedingNote,
    ProceedingState,
    ProceedingStep,
    ProceedingStepVersion,
    Side,
    StepKind,
)
from .register import Affiliate, PESModel, Provider, ProviderStatusChange
from .system import Heartbeat, SentForm
from .users import ApiToken, Role, User

__all__ = [
    "Affiliate",
    "ApiToken",
    "AuditEvent",
    "CLAUSES",
    "DeadlinePolicy",
    "ExtensionRequest",
    "ExtensionState",
    "RevenueRisk",
    "Obligation",
    "ObligationKind",
    "ObligationState",
    "Heartbeat",
    "PESModel",
    "ProcedureDocument",
    "ProcedureReview",
    "Outcome",
    "Proceeding",
    "ProceedingKind",
    "ProceedingNote",
    "ProceedingState",
    "ProceedingStep",
    "ProceedingStepVersion",
    "Side",
    "StepKind",
    "PublishedChange",
    "Provider",
    "ProviderStatusChange",
    "Role",
    "SentForm",
    "User",
]
