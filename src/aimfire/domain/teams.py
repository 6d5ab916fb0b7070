"""Who coaches whom."""

from __future__ import annotations

from enum import StrEnum


class TeamRole(StrEnum):
    REP = "rep"
    COACH = "coach"
