"""What the operator needs to see: that workers are alive and reminders go out."""

from django.db import models
from django.utils import timezone


class Heartbeat(models.Model):
    """One worker process (host and pid), as last seen. A worker writes its row every half
    minute; /health and `introloop status` read when any worker was last seen."""

    name = models.CharField(max_length=200)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)
    last_sweep_at = models.DateTimeField(null=True, blank=True)
    # Since when every job of every pass failed (a database that refuses writes, say).
    failing_since = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name"], name="ops_heartbeat_name")]
        indexes = [models.Index(fields=["seen_at"], name="ops_heartbeat_seen_idx")]

    def __str__(self) -> str:
        return f"{self.name} seen {self.seen_at:%Y-%m-%d %H:%M:%S}"
