"""The versioned JSON API (/api/v1/): same services and scoping as the pages.

Schema at /api/v1/openapi.json, interactive docs at /api/v1/docs. Every
endpoint accepts a browser session (CSRF-checked on writes) or a bearer token.

Errors are always JSON `{"detail": "...", "errors": {field: [messages]}}`
and never a 500 for bad input:
- not logged in / bad token → 401; no permission → 403; outside the user's
  part of the tree or not existing → 404 (the same answer for both);
- malformed JSON or a body that is not a JSON object → 400; a service's
  ValidationError → 400 with its (Chinese) field messages; a request that does
  not match the schema → 422; a body too big → 413 (see api_urls.py); a wrong
  method → 405; a write that clashes with another → 409.
"""

from __future__ import annotations

import json
import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer

from fanzha.alerts.api import router as alerts_router
from fanzha.core.api_auth import API_AUTH, docs_guard
from fanzha.cases.api import router as cases_router
from fanzha.org.api import router as org_router
from fanzha.outreach.api import router as outreach_router
from fanzha.risk.api import router as risk_router
from fanzha.clues.api import router as clues_router
from fanzha.supervision.api import router as supervision_router
from fanzha.assessment.api import router as assessment_router
from fanzha.analysis.api import router as analysis_router
from fanzha.duties.api import router as duties_router

logger = logging.getLogger("fanzha.api")


class ReadableJSONRenderer(JSONRenderer):
    """UTF-8 JSON with Chinese as characters, not \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


class BodyNotAnObject(ValueError):
    pass


class NulInRequest(ValueError):
    """A text value holds a NUL character, which no text field accepts (the schema says so: see no_nul_in_schema)."""

    def __init__(self, source: str, path: list[str]):
        super().__init__(source, path)
        self.source, self.path = source, path


def _find_nul(value, path: list[str]) -> list[str] | None:
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = _find_nul(item, [*path, str(key)])
        if found is not None:
            return found
    return None


class ObjectBodyParser(Parser):
    """Request bodies are JSON objects; a list, string or null is refused as such. A NUL character in any
    text of the body or the query string is refused with 422 (PostgreSQL cannot store it)."""

    def parse_body(self, request):
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise BodyNotAnObject()
        found = _find_nul(data, [])
        if found is not None:
            raise NulInRequest("body", found)
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        found = _find_nul(result, [])
        if found is not None and data is request.GET:
            raise NinjaValidationError([{"type": "nul", "loc": ("query", *found), "msg": _("不能包含空字符")}])
        return result


ERROR_SCHEMA = {
    "type": "object",
    "title": "Error",
    "properties": {
        "detail": {"type": "string", "description": "what went wrong, for a person to read (Chinese unless English is asked)"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                   "description": "messages per field, when the error is about fields"},
    },
    "required": ["detail"],
}
# What any operation may answer besides its own success (see the module docstring).
COMMON_ERRORS = {
    "401": "not logged in, or the bearer token is unknown or revoked",
    "403": "the caller's role may not do this",
    "404": "no such record inside the caller's part of the tree (the same answer for both)",
    "422": "the request does not match this schema (field messages in `errors`)",
    "429": "too many requests of this kind: wait and retry",
}
# A rule that depends on the data or on today (a date range reversed, a report date in the future, a
# duplicate) cannot be said in a schema: it answers 400 with the field's message, on reads as on writes.
RULE_ERROR = "a rule the service checks was broken (field messages in `errors`), or the body is not a JSON object"
COMMON_ERRORS["400"] = RULE_ERROR
WRITE_ERRORS = {
    "409": "the write clashes with another (changed meanwhile, already done): reload and retry",
    "413": "the body is too big",
}


NO_NUL = r"^[^\x00]*$"


def no_nul_in_schema(node) -> None:
    """State in the schema the rule ObjectBodyParser enforces: no text value holds a NUL character.
    Strings with their own pattern, enum or format already exclude it."""
    if isinstance(node, list):
        for item in node:
            no_nul_in_schema(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and not ({"pattern", "enum", "const", "format"} & node.keys()):
        node["pattern"] = NO_NUL
    for key, value in node.items():
        if key not in ("example", "examples", "default", "enum", "const"):
            no_nul_in_schema(value)


# Any JSON value without a NUL character in its text: what a body may hold in a property the schema does
# not name (the endpoint ignores it, but ObjectBodyParser still refuses a NUL anywhere in the body).
JSON_WITHOUT_NUL = {
    "title": "JsonWithoutNul",
    "anyOf": [
        {"type": "string", "pattern": NO_NUL}, {"type": "number"}, {"type": "boolean"}, {"type": "null"},
        {"type": "array", "items": {"$ref": "#/components/schemas/JsonWithoutNul"}},
        {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/JsonWithoutNul"}},
    ],
}


def _body_schemas(schema: dict):
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict):
                content = operation.get("requestBody", {}).get("content", {})
                for media in content.values():
                    yield media.get("schema", {})


def document_errors(schema: dict) -> dict:
    """Add the error answers every endpoint can give to its operations, with one Error schema, and the
    rules every input follows (no NUL in text, also in properties a body may add)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for component in components.values():
        no_nul_in_schema(component)
    for body in _body_schemas(schema):
        target = components.get(body["$ref"].rsplit("/", 1)[1], {}) if "$ref" in body else body
        if target.get("type") == "object" and "additionalProperties" not in target:
            target["additionalProperties"] = {"$ref": "#/components/schemas/JsonWithoutNul"}
    components["JsonWithoutNul"] = JSON_WITHOUT_NUL
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict):
                no_nul_in_schema(operation.get("parameters", []))
                no_nul_in_schema(operation.get("requestBody", {}))
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            codes = dict(COMMON_ERRORS, **(WRITE_ERRORS if method != "get" else {}))
            for code, text in codes.items():
                responses.setdefault(code, {"description": text, **ref})
    return schema


class FanzhaAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return document_errors(super().get_openapi_schema(*args, **kwargs))


api = FanzhaAPI(
    title="fanzha API",
    version="1",
    description="反诈 — org tree, residents, households and units, limited to the caller's part of the tree. "
    "Authenticate with a login session or `Authorization: Bearer fz_...` (`fanzha token create USERNAME`).",
    urls_namespace="api-v1",
    auth=API_AUTH,
    renderer=ReadableJSONRenderer(),
    parser=ObjectBodyParser(),
    docs_decorator=docs_guard,
)


def error_response(request, status: int, detail: str, errors: dict[str, list[str]] | None = None):
    body: dict = {"detail": detail}
    if errors:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(DjangoValidationError)
def _service_validation_error(request, exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        errors = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    else:
        errors = {"__all__": [str(m) for m in exc.messages]}
    messages = [m for msgs in errors.values() for m in msgs]
    return error_response(request, 400, "；".join(messages) or _("提交的数据有误"), errors)


# Names the endpoints give their schema parameters (payload, filters, paging).
PARAMETER_NAMES = ("payload", "filters", "paging")


# Pydantic's messages are English; the common ones get a Chinese wording here.
def _pydantic_message(err: dict) -> str:
    kind, ctx = err.get("type", ""), err.get("ctx") or {}
    if kind == "missing":
        return _("必填")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("应为整数")
    if kind == "greater_than_equal":
        return _("不能小于 %(v)s") % {"v": ctx.get("ge")}
    if kind == "less_than_equal":
        return _("不能大于 %(v)s") % {"v": ctx.get("le")}
    if kind == "string_too_long":
        return _("过长（最多 %(n)s 个字符）") % {"n": ctx.get("max_length")}
    if kind == "string_type":
        return _("应为文本")
    if kind in ("bool_parsing", "bool_type"):
        return _("应为 true 或 false")
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("日期格式应为 YYYY-MM-DD")
    if kind == "literal_error":
        return _("取值无效，可选：%(v)s") % {"v": ctx.get("expected", "")}
    if kind in ("model_attributes_type", "dict_type", "model_type"):
        return _("应为 JSON 对象")
    if kind == "value_error":
        return str(ctx.get("error") or err.get("msg", ""))
    return str(err.get("msg", ""))


@api.exception_handler(NinjaValidationError)
def _request_validation_error(request, exc: NinjaValidationError):
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        # loc is (source, [parameter name,] field, ...): keep the field path, or
        # the source ("body") when the whole of it is wrong.
        loc = [str(p) for p in err.get("loc", ())]
        if len(loc) >= 2 and loc[1] in PARAMETER_NAMES:
            del loc[1]
        field = ".".join(loc[1:]) or (loc[0] if loc else "__all__")
        errors.setdefault(field, []).append(_pydantic_message(err))
    summary = "；".join(f"{f}: {'，'.join(m)}" for f, m in errors.items())
    return error_response(request, 422, _("请求参数无效") + (f"（{summary}）" if summary else ""), errors)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, 404, _("未找到"))


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return error_response(request, 403, str(exc) or _("您没有执行此操作的权限"))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    detail = str(exc)
    if exc.status_code == 401 and detail == "Unauthorized":
        detail = _("需要登录，或在 Authorization 头中提供有效的接口令牌（Bearer fz_...）")
    elif exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        cause = exc.__cause__
        if isinstance(cause, BodyNotAnObject):
            detail = _("请求体应为 JSON 对象")
        elif isinstance(cause, NulInRequest):
            field = ".".join(cause.path) or "body"
            return error_response(request, 422, _("请求参数无效（%(f)s: 不能包含空字符）") % {"f": field},
                                  {field: [_("不能包含空字符")]})
        elif isinstance(cause, json.JSONDecodeError):
            detail = _("请求体不是有效的 JSON（第 %(line)d 行第 %(col)d 列）") % {"line": cause.lineno, "col": cause.colno}
        else:
            detail = _("请求体不是有效的 JSON")
    response = error_response(request, exc.status_code, detail)
    if exc.status_code == 401:
        response["WWW-Authenticate"] = 'Bearer realm="fanzha"'
    return response


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return error_response(request, 413, _("请求体过大"))


@api.exception_handler(SuspiciousOperation)
def _suspicious(request, exc):
    return error_response(request, 400, _("请求无效"))


@api.exception_handler(IntegrityError)
def _conflict(request, exc):
    logger.warning("API integrity error: %s", exc)
    return error_response(request, 409, _("数据与已有记录冲突，请刷新后重试"))


@api.exception_handler(DataError)
def _data_error(request, exc):
    logger.warning("API data error: %s", exc)
    return error_response(request, 400, _("数据格式或数值范围不被接受"))


@api.exception_handler(OverflowError)
def _overflow(request, exc):
    return error_response(request, 400, _("数值超出范围"))


api.add_router("", org_router)
api.add_router("", cases_router)
api.add_router("", alerts_router)
api.add_router("", outreach_router)
api.add_router("", risk_router)
api.add_router("", clues_router)
api.add_router("", supervision_router)
api.add_router("", assessment_router)
api.add_router("", analysis_router)
api.add_router("", duties_router)
