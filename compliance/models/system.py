from django.db import models


class Heartbeat(models.Model):
    """The last time a periodic process proved it was alive (the beat scheduler, the sweep)."""

    name = models.CharField(max_length=50, primary_key=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"
