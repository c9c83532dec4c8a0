from .attachments import Attachment
from .choices import (
    CATEGORIES_NEEDING_PES_MODEL,
    SUBTYPES_BY_CATEGORY,
    Category,
    IncidentStatus,
    RevenueRisk,
    Subtype,
)
from .comments import Comment, CommentSide, CommentVisibility
from .counts import CaseCount
from .filing import IncidentVersion, ReferenceCounter, ReferenceReservation
from .incident import Incident, RiskStatement

__all__ = [
    "Attachment",
    "CaseCount",
    "CATEGORIES_NEEDING_PES_MODEL",
    "Category",
    "Comment",
    "CommentSide",
    "CommentVisibility",
    "Incident",
    "IncidentStatus",
    "IncidentVersion",
    "ReferenceCounter",
    "ReferenceReservation",
    "RevenueRisk",
    "RiskStatement",
    "SUBTYPES_BY_CATEGORY",
    "Subtype",
]
