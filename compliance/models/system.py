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
