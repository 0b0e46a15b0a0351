"""The chair's approval that finalising needs, for tests whose subject is something else."""

from __future__ import annotations

CHAIR = "DI Euan MacDhòmhnaill"


def recorded_approval(store, meeting_id: int, **more) -> dict:
    """An approval the chair gave at the meeting, recorded by whoever finalises (dated the
    meeting's day, or today when the meeting has no date)."""
    meeting_date = store.minutes.context(meeting_id, (), {}, keys=("meeting_date",)).get("meeting_date")
    return {"approved_by": CHAIR, "approved_as": "chair", "approval_method": "meeting",
            "approved_on": meeting_date or store.today().isoformat(), **more}
