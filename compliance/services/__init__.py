"""State changes of the compliance app. Each is atomic and writes its audit event."""

from .audit import record_event
from .extensions import deny_extension, grant_extension, request_extension
from .obligations import (
    assign_obligations_reviewer,
    close_obligation,
    correct_unfiled_obligation,
    fulfil_obligation,
    move_obligation_due,
    open_obligation,
)
from .procedures import (
    accept_procedures,
    ensure_procedures_obligations,
    request_procedure_changes,
    upload_procedures,
)
from .register import (
    affiliate_digest,
    create_affiliate,
    create_pes_model,
    create_provider,
    update_affiliate,
    update_pes_model,
    update_provider,
)
from .targets import meet_usps_target, open_usps_target
from .users import (
    create_api_token,
    create_user,
    hold_actor,
    revoke_api_token,
    update_profile,
)

__all__ = [
    "affiliate_digest",
    "hold_actor",
    "accept_procedures",
    "deny_extension",
    "ensure_procedures_obligations",
    "grant_extension",
    "request_extension",
    "request_procedure_changes",
    "upload_procedures",
    "meet_usps_target",
    "open_usps_target",
    "assign_obligations_reviewer",
    "close_obligation",
    "move_obligation_due",
    "create_affiliate",
    "create_api_token",
    "create_pes_model",
    "create_provider",
    "create_user",
    "correct_unfiled_obligation",
    "fulfil_obligation",
    "open_obligation",
    "record_event",
    "revoke_api_token",
    "update_affiliate",
    "update_pes_model",
    "update_profile",
    "update_provider",
]
