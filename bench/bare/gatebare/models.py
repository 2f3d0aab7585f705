from django.db import models


class Slot(models.Model):
    """Stands for a trip: one row locked and changed per check-in."""

    state = models.CharField(max_length=16, default="waiting")
    updated_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"slot {self.pk}: {self.state}"


class Event(models.Model):
    """Stands for the transition record: one row inserted per check-in."""

    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="events")
    state = models.CharField(max_length=16)
    at = models.DateTimeField()

    def __str__(self):
        return f"slot {self.slot_id} {self.state} at {self.at:%H:%M:%S}"
