"""Locking a duty's case before the duty. The incidents app locks a case's row, then
writes its duties (an assignment, a filing); a write of a duty that moves the case's clock
updates the case's row too (`incidents.clock`, by trigger). So every write of a duty of a
case locks the case first: one order, no deadlock.

The compliance app names cases by id only: the app that owns them registers their model
when it is ready (`register_case_model`), as it registers its case source."""

_model = None


def register_case_model(model):
    global _model
    _model = model


def case_model():
    """The model of cases, or None while no app has registered one."""
    return _model


def lock_case(case_id):
    """Lock the row of case `case_id` until the transaction ends; nothing for None (a duty
    of no case) or when no case model is registered."""
    if case_id is not None and _model is not None:
        list(_model.objects.select_for_update().filter(pk=case_id).values_list("pk"))
