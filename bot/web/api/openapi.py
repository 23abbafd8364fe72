"""The OpenAPI 3.1 description of the JSON API, served at /api/openapi.json."""

from __future__ import annotations

from typing import Any

VERSION = "1.0.0"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _list(key: str, item: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [key],
        "properties": {key: {"type": "array", "items": _ref(item)}},
    }


def _ok(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "200": {"description": description, "content": {"application/json": {"schema": schema}}},
        "400": {"$ref": "#/components/responses/BadRequest"},
        "401": {"$ref": "#/components/responses/Unauthorized"},
        "403": {"$ref": "#/components/responses/Forbidden"},
    }


_BRANCH = {"name": "branch", "in": "query", "required": True, "schema": {"type": "string"}}
_NULLABLE_STRING = {"type": ["string", "null"]}
_NULLABLE_INT = {"type": ["integer", "null"]}


def document(server: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Wegwijs API",
            "version": VERSION,
            "description": (
                "Read access for library systems to Wegwijs: branches, free appointment slots, "
                "appointments and escalations (handovers from the chat to library staff). "
                "A token acts with the role and library of its account: staff tokens see their "
                "own library's appointments and escalations; admin and trainer tokens only "
                "branches and slots. Every read of participants' data is written to the audit "
                "log. Times are ISO 8601 with the Europe/Amsterdam offset."
            ),
        },
        "servers": [{"url": server}],
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/branches": {
                "get": {
                    "operationId": "listBranches",
                    "summary": "Branches this token may read",
                    "responses": _ok(_list("branches", "Branch"), "The branches"),
                }
            },
            "/api/v1/slots": {
                "get": {
                    "operationId": "listFreeSlots",
                    "summary": "The next free appointment slots of a branch",
                    "parameters": [
                        _BRANCH,
                        {
                            "name": "count",
                            "in": "query",
                            "schema": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": 50,
                                "default": 10,
                            },
                        },
                    ],
                    "responses": _ok(
                        {
                            "type": "object",
                            "required": ["branch_id", "slots"],
                            "properties": {
                                "branch_id": {"type": "string"},
                                "slots": {"type": "array", "items": _ref("Slot")},
                            },
                        },
                        "Free slots, earliest first",
                    ),
                }
            },
            "/api/v1/appointments": {
                "get": {
                    "operationId": "listAppointments",
                    "summary": "A branch's appointments from one day to another (staff tokens)",
                    "parameters": [
                        _BRANCH,
                        {
                            "name": "from",
                            "in": "query",
                            "schema": {"type": "string", "format": "date"},
                        },
                        {
                            "name": "to",
                            "in": "query",
                            "schema": {"type": "string", "format": "date"},
                        },
                    ],
                    "responses": _ok(
                        _list("appointments", "Appointment"),
                        "Appointments (cancelled ones left out), at most 31 days",
                    ),
                }
            },
            "/api/v1/escalations": {
                "get": {
                    "operationId": "listEscalations",
                    "summary": "The library's escalations (staff tokens)",
                    "parameters": [
                        {
                            "name": "status",
                            "in": "query",
                            "schema": {"type": "string", "enum": ["new", "claimed", "done"]},
                            "description": "Without it: the open ones (new and claimed).",
                        }
                    ],
                    "responses": _ok(
                        _list("escalations", "Escalation"), "Escalations, newest first"
                    ),
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token made with `wegwijs users token` or on the admin page.",
                }
            },
            "responses": {
                name: {
                    "description": description,
                    "content": {"application/json": {"schema": _ref("Error")}},
                }
                for name, description in (
                    ("BadRequest", "A parameter is missing or wrong"),
                    ("Unauthorized", "No valid token"),
                    ("Forbidden", "Not for this token's role"),
                )
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {"error": {"type": "string"}, "detail": {"type": "string"}},
                },
                "Branch": {
                    "type": "object",
                    "required": ["id", "library_id", "name"],
                    "properties": {
                        "id": {"type": "string"},
                        "library_id": {"type": "string"},
                        "name": {"type": "string"},
                        "address": {"type": "string"},
                        "appointment_minutes": {"type": "integer"},
                        "capacity": {"type": "integer"},
                    },
                },
                "Slot": {
                    "type": "object",
                    "required": ["start", "end"],
                    "properties": {
                        "start": {"type": "string", "format": "date-time"},
                        "end": {"type": "string", "format": "date-time"},
                    },
                },
                "Appointment": {
                    "type": "object",
                    "required": ["id", "branch_id", "start", "end", "status"],
                    "properties": {
                        "id": {"type": "integer"},
                        "participant_id": _NULLABLE_INT,
                        "library_id": {"type": "string"},
                        "branch_id": {"type": "string"},
                        "start": {"type": "string", "format": "date-time"},
                        "end": {"type": "string", "format": "date-time"},
                        "status": {"type": "string", "enum": ["booked", "attended", "no_show"]},
                        "task_id": _NULLABLE_STRING,
                        "task_title": _NULLABLE_STRING,
                        "language": _NULLABLE_STRING,
                        "interpreter": {"type": "boolean"},
                        "booked_by": {"type": "string", "enum": ["participant", "staff"]},
                    },
                },
                "Escalation": {
                    "type": "object",
                    "required": ["id", "status", "reason"],
                    "properties": {
                        "id": {"type": "integer"},
                        "status": {"type": "string", "enum": ["new", "claimed", "done"]},
                        "participant_id": _NULLABLE_INT,
                        "library_id": _NULLABLE_STRING,
                        "task_id": _NULLABLE_STRING,
                        "task_title": _NULLABLE_STRING,
                        "step_id": _NULLABLE_STRING,
                        "step_number": _NULLABLE_INT,
                        "step_text": _NULLABLE_STRING,
                        "reason": {"type": "string"},
                        "failures": {"type": "integer"},
                        "language": _NULLABLE_STRING,
                        "interpreter": {"type": "boolean"},
                        "words_original": {
                            **_NULLABLE_STRING,
                            "description": "The participant's own words, redacted",
                        },
                        "words_dutch": {
                            **_NULLABLE_STRING,
                            "description": "Machine translation; null when not translated",
                        },
                        "translation": {
                            "type": "string",
                            "enum": ["source", "translated", "not_translated", "none"],
                        },
                        "appointment_id": _NULLABLE_INT,
                        "claimed_by": _NULLABLE_STRING,
                        "created_at": {"type": "string", "format": "date-time"},
                    },
                },
            },
        },
    }
