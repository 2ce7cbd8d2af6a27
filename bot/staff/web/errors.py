"""What a staff API call can fail with; each maps to one HTTP status and a JSON body.

    ApiError(status, code, message)         {"detail": {"error": code, "message": Arabic message}}
     ├── BadInput      400   e.g. a personal-data read without a reason
     ├── Unauthorized  401   no token, a bad or expired one, a deactivated user
     ├── Forbidden     403   the role may not, another association's filter, a CSRF failure
     ├── NotFound      404   no such record, or not one of the caller's associations (never told apart)
     └── TooMany       429   a sign-in during the back-off after repeated failures (Retry-After)
Invalid bodies and query values are FastAPI's own 422.
"""

from __future__ import annotations

from fastapi import HTTPException


class ApiError(HTTPException):
    status = 500
    code = "error"

    def __init__(self, message: str, code: str | None = None) -> None:
        self.message = message
        headers = {"WWW-Authenticate": "Bearer"} if self.status == 401 else None
        super().__init__(self.status, {"error": code or self.code, "message": message}, headers=headers)


class BadInput(ApiError):
    status, code = 400, "bad_request"


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class NotFound(ApiError):
    status, code = 404, "not_found"


class TooMany(ApiError):
    """Sign-ins during a back-off; Retry-After says how many seconds to wait."""

    status, code = 429, "too_many_attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.headers = {"Retry-After": str(retry_after)}
