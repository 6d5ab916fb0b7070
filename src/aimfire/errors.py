"""The one exception hierarchy. Each error knows its HTTP status and a message fit for a user.

Pages render these as an HTML error page, the API as ``{"error": {...}}``, the CLI as a red
line and a non-zero exit: one message, three doors.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FieldProblem:
    field: str
    message: str


@dataclass
class AppError(Exception):
    message: str
    status: int = 400
    code: str = "bad_request"
    fields: list[FieldProblem] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


class NotFound(AppError):
    def __init__(self, what: str = "record") -> None:
        super().__init__(f"No such {what}.", 404, "not_found")


class NotAuthenticated(AppError):
    def __init__(self, message: str = "Log in or give an API token.") -> None:
        super().__init__(message, 401, "not_authenticated")


class PermissionDenied(AppError):
    def __init__(self, message: str) -> None:
        super().__init__(message, 403, "permission_denied")


class Conflict(AppError):
    def __init__(self, message: str, fields: list[FieldProblem] | None = None) -> None:
        super().__init__(message, 409, "conflict", fields or [])


class Invalid(AppError):
    def __init__(self, message: str, fields: list[FieldProblem] | None = None) -> None:
        super().__init__(message, 422, "invalid", fields or [])

    @classmethod
    def on(cls, field_name: str, message: str) -> Invalid:
        return cls(message, [FieldProblem(field_name, message)])
