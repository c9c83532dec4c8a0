"""The database's guard (PostgreSQL triggers) on a row filed once and then decided once by
USPS (an extension request, a procedures version): never deleted, nothing of what was
filed ever changed, and the decision's fields written once, while the row is pending."""

import pgtrigger


def filed_then_decided_once(name, *, decision_fields, pending):
    """The triggers of such a table: `decision_fields`, what the decision writes;
    `pending`, the condition (on OLD) of a row still waiting for it."""
    return [
        pgtrigger.Protect(name=f"{name}_kept", operation=pgtrigger.Delete),
        pgtrigger.Protect(name=f"{name}_as_filed", operation=pgtrigger.Update,
                          condition=pgtrigger.AnyChange(exclude=decision_fields)),
        pgtrigger.Protect(name=f"{name}_decided_once", operation=pgtrigger.Update,
                          condition=~pending),
    ]
