"""Error pages: JSON under /api/, HTML elsewhere; never a bare stack trace."""

from __future__ import annotations

from flask import abort, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: lambda: gettext("The request could not be understood."),
    401: lambda: gettext("Log in first."),
    403: lambda: gettext("Your account is not allowed to do this."),
    404: lambda: gettext("There is nothing at this address."),
    405: lambda: gettext("This address does not accept that method."),
    500: lambda: gettext("Something went wrong on our side. Please try again."),
}


def user_message(exc: Exception) -> str:
    """An error's message in the reader's language. QueryError, CurationError and
    AccountError keep their English template (marked with N_) and its parameters."""
    template = getattr(exc, "template", None)
    if template is None:
        return str(exc)
    return gettext(template, **getattr(exc, "params", {}))


def found_or_404(value):
    """The thing looked up, or a 404 page (JSON under /api/) when there is none."""
    if value is None:
        abort(404)
    return value


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str | None = None):
    message = message or MESSAGES.get(status, MESSAGES[500])()
    if wants_json():
        return jsonify(error=message, status=status), status
    return render_template("error.html", status=status, message=message), status


def register(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return error_response(400, gettext(
            "This form has expired or did not come from this site. Go back, reload the page "
            "and try again."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        message = MESSAGES[status]() if status in MESSAGES else exc.description
        return error_response(status, message)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unexpected error on %s", request.path)
        return error_response(500)
