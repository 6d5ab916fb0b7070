"""What a coach says to a rep: four kinds of note, each with its own purpose."""

from __future__ import annotations

from enum import StrEnum


class NoteKind(StrEnum):
    COACH = "coach"
    MENTOR = "mentor"
    MOTIVATE = "motivate"
    HOLD_ACCOUNTABLE = "hold_accountable"


NOTE_PURPOSE = {
    NoteKind.COACH: "how to do a specific thing better",
    NoteKind.MENTOR: "experience and perspective for the longer run",
    NoteKind.MOTIVATE: "recognition for effort and progress",
    NoteKind.HOLD_ACCOUNTABLE: "a number or a promise that was missed, and what happens next",
}
