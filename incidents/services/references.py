"""Reference numbers, `PES-<year>-<n>`: each given once, none lost.

The year's counter is the one row every submission of the year needs, so a submission
holds it only while it takes a number, in a short transaction of its own: the number goes
into reserve (`ReferenceReservation`) and the counter is free again. The filing itself,
in its own transaction, claims the lowest number in reserve that no other filing holds
and removes it from the reserve; the claimed row stays locked until the filing commits,
and if the filing rolls back, the number is back in reserve for the next submission.
A submission that fails, or files under another number than the one it reserved, gives
its own back to the counter when it is still the last taken. Otherwise it stays in
reserve, where the next submission takes it: every number up to the counter is on a
filing or in reserve, none is lost.

Inside a transaction the caller owns (nothing could commit early), the filing takes its
number from the counter directly and the counter stays locked until that transaction ends.
"""

from contextlib import contextmanager, suppress

from django.db import Error, connection, transaction

from incidents.models import ReferenceCounter, ReferenceReservation


def reference(year, number):
    return f"PES-{year}-{number:05d}"


def _names():
    quote = connection.ops.quote_name
    return (quote(ReferenceCounter._meta.db_table), quote(ReferenceReservation._meta.db_table),
            quote("year"), quote("last_number"), quote("number"))


def _counter_advanced():
    """The statement that advances a year's counter by one, returning the number."""
    counter, _, year, last_number, _ = _names()
    return (f"INSERT INTO {counter} ({year}, {last_number}) VALUES (%s, 1) "
            f"ON CONFLICT ({year}) DO UPDATE SET {last_number} = {counter}.{last_number} + 1 "
            f"RETURNING {last_number}")


def take_number(year):
    """Advance the year's counter by one and return the number, in one statement. The
    counter's row stays locked until the enclosing transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute(_counter_advanced(), [year])
        return cursor.fetchone()[0]


def reserve(year):
    """Take the next number of `year` into reserve, in a transaction of its own, and
    return it. On PostgreSQL that transaction is one statement."""
    if connection.vendor != "postgresql":
        with transaction.atomic():
            return ReferenceReservation.objects.create(year=year,
                                                       number=take_number(year)).number
    # Its commit need not wait for the disk: lost in a crash, the counter and the reserve
    # are lost together, and a filing that used the number committed after it, so that
    # filing's own (waited for) commit wrote this one to disk first.
    _, reservation, year_column, last_number, number = _names()
    with connection.cursor() as cursor:
        cursor.execute(f"WITH unhurried AS (SELECT set_config('synchronous_commit', 'off', true)"
                       f"), taken AS ({_counter_advanced()}) "
                       f"INSERT INTO {reservation} ({year_column}, {number}) "
                       f"SELECT %s, {last_number} FROM taken, unhurried RETURNING {number}",
                       [year, year])
        return cursor.fetchone()[0]


def claim(year):
    """Inside the filing's transaction: the number it files under. The lowest number in
    reserve that no other filing holds, removed from the reserve until the filing commits;
    or, with none free, the next number from the counter."""
    _, reservation, year_column, _, number = _names()
    skip_locked = (" FOR UPDATE SKIP LOCKED"
                   if connection.features.has_select_for_update_skip_locked else "")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {reservation} WHERE id = (SELECT id FROM {reservation} "
                       f"WHERE {year_column} = %s ORDER BY {number} LIMIT 1{skip_locked}) "
                       f"RETURNING {number}", [year])
        held = cursor.fetchone()
    return held[0] if held else take_number(year)


def give_back(year, number):
    """`number` back to the year's counter, if it is still in reserve, no filing holds it,
    and it is the counter's last: a submission gives back the number it reserved and did
    not file under. If a later number was taken since, it stays in reserve for the next
    filing (a later one may be another submission's, reserved and not yet claimed)."""
    with transaction.atomic():
        counter = ReferenceCounter.objects.select_for_update().filter(year=year).first()
        if counter is None or counter.last_number != number:
            return
        free = (ReferenceReservation.objects.select_for_update(skip_locked=True)
                .filter(year=year, number=number).first())
        if free is not None:
            free.delete()
            counter.last_number -= 1
            counter.save(update_fields=["last_number"])


class Reservation:
    """A submission's part in the reserve: the number it put there (None inside a
    transaction of the caller's) and the one its filing claimed."""

    def __init__(self, year, number=None):
        self.year = year
        self.number = number
        self.claimed = None

    def claim(self):
        """The filing's reference (`claim`), inside its transaction."""
        self.claimed = claim(self.year)
        return reference(self.year, self.claimed)


@contextmanager
def reserved_for(year):
    """`with reserved_for(year) as reservation:` around a submission's transaction: one
    number in reserve for it beforehand, given back (`give_back`) if the submission fails or
    files under another number (an older one in reserve). Inside a transaction of the
    caller's, nothing is reserved: the filing's claim takes from the counter when the
    reserve has nothing free."""
    if transaction.get_connection().in_atomic_block:
        yield Reservation(year)
        return
    reservation = Reservation(year, reserve(year))
    try:
        yield reservation
    except BaseException:
        _give_back_quietly(reservation)
        raise
    if reservation.claimed != reservation.number:
        _give_back_quietly(reservation)


def _give_back_quietly(reservation):
    # A number this cannot give back (the connection lost, say) stays in reserve, and
    # the next submission uses it.
    with suppress(Error):
        give_back(reservation.year, reservation.number)
