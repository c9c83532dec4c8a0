from django.db import models


class Heartbeat(models.Model):
    """The last time a periodic process proved it was alive (the scheduler, a worker, the
    sweep)."""

    name = models.CharField(max_length=50, primary_key=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def record(cls, name, at):
        """`name` was alive at `at`: one UPDATE, and an INSERT the first time."""
        if not cls.objects.filter(name=name).update(at=at):
            cls.objects.update_or_create(name=name, defaults={"at": at})


class SentForm(models.Model):
    """A page's form that was sent and acted on, by the key the page gave it
    (`compliance.sent_once`): sent again (a double click, a retry after a lost answer)
    it is told so, and nothing is done twice."""

    user = models.ForeignKey("compliance.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    sent_at = models.DateTimeField()
    answer = models.CharField(max_length=200, blank=True,
                              help_text="Where the first sending led (what it made), if kept.")
    kept = models.BooleanField(
        default=False, help_text="Kept for good: an API request's Idempotency-Key answers a "
                                 "retry however late; a page's key is forgotten after a week.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="form_sent_once")]
        indexes = [models.Index(fields=["sent_at"], name="sent_form_age")]

    def __str__(self):
        return f"{self.key} by {self.user_id}"
