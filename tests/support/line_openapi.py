"""LINE's OpenAPI files (`sandbox/line_openapi/`) as a checker of requests, answers and
webhook events.

JSON Schema validators ignore OpenAPI's `discriminator` (openapi-schema-validator only
honours one that sits beside `oneOf`/`anyOf`/`allOf`), and LINE's files put theirs on the
common schema (`Message`, `Action`, `Event`, ...) with each kind referring back to it. Left
alone, a message would be checked only against the common properties (`type`,
`quickReply`), so a text message without its text would pass. `explicit_discriminators`
turns each mapping into a `oneOf` keyed on the discriminating property, and points the kinds
at a copy of the common schema without it, so that each kind's own rules apply.
"""

import copy
import functools
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from sandbox.lineapi import LineApi

SPEC_DIR = Path(__file__).resolve().parents[2] / "sandbox" / "line_openapi"
MESSAGING = "urn:line-openapi:messaging-api"
WEBHOOK = "urn:line-openapi:webhook"
COMMON = "__common"


def explicit_discriminators(spec: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    schemas = spec["components"]["schemas"]
    bases = [name for name, schema in schemas.items() if "discriminator" in schema]
    for name in bases:
        schema = schemas[name]
        discriminator = schema.pop("discriminator")
        prop = discriminator["propertyName"]
        schemas[name + COMMON] = schema
        schemas[name] = {"type": "object", "required": [prop], "oneOf": [
            {"allOf": [{"required": [prop], "properties": {prop: {"enum": [value]}}},
                       {"$ref": target}]}
            for value, target in discriminator["mapping"].items()]}
    for schema in schemas.values():
        for part in schema.get("allOf", []):
            ref = part.get("$ref", "")
            if ref.rsplit("/", 1)[-1] in bases:
                part["$ref"] = ref + COMMON
    return spec


@functools.cache
def _spec(name: str) -> dict[str, Any]:
    with (SPEC_DIR / name).open(encoding="utf-8") as file:
        return explicit_discriminators(yaml.safe_load(file))


@functools.cache
def _registry() -> Registry:
    return Registry().with_resources([
        (MESSAGING, Resource.from_contents(_spec("messaging-api.yml"),
                                           default_specification=DRAFT4)),
        (WEBHOOK, Resource.from_contents(_spec("webhook.yml"), default_specification=DRAFT4)),
    ])


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def _leaves(error: ValidationError) -> list[ValidationError]:
    """The errors inside the one `oneOf` branch whose discriminating value matched (the
    branches of other kinds fail on their first `allOf` part), rather than "not valid under
    any of the given schemas"."""
    if not error.context:
        return [error]
    branches: dict[Any, list[ValidationError]] = defaultdict(list)
    for inner in error.context:
        branches[inner.relative_schema_path[0]].append(inner)
    matched = [inner for inner in branches.values()
               if not any(list(e.relative_schema_path)[1:3] == ["allOf", 0] for e in inner)]
    if len(matched) != 1:
        return [error]
    return [leaf for inner in matched[0] for leaf in _leaves(inner)]


def _errors(uri: str, pointer: str, instance: Any) -> list[str]:
    validator = OAS30Validator({"$ref": f"{uri}#/{pointer}"}, registry=_registry(),
                               format_checker=oas30_format_checker)
    found = []
    for error in validator.iter_errors(instance):
        for leaf in _leaves(error):
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}"
                            for p in leaf.absolute_path)
            found.append(f"{where or '.'}: {leaf.message}")
    return found


def _operation(method: str, path: str) -> tuple[str, dict[str, Any]]:
    paths = _spec("messaging-api.yml")["paths"]
    # A literal path first: /v2/bot/richmenu/list is not the rich menu called "list".
    for template, operations in sorted(paths.items(), key=lambda item: item[0].count("{")):
        regex = re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(regex, path) and method.lower() in operations:
            return template, operations[method.lower()]
    raise LookupError(f"LINE's OpenAPI file has no {method} {path}")


def request_errors(method: str, path: str, headers: dict[str, str],
                   body: Any) -> list[str]:
    """What is wrong with a request to LINE, by messaging-api.yml: its JSON body and its
    header parameters. An empty list when nothing is."""
    template, operation = _operation(method, path)
    base = ("paths", template, method.lower())
    found = []
    for index, parameter in enumerate(operation.get("parameters", [])):
        if parameter["in"] != "header":
            continue
        value = {k.lower(): v for k, v in headers.items()}.get(parameter["name"].lower())
        if value is None:
            if parameter.get("required"):
                found.append(f"header {parameter['name']} is missing")
            continue
        found += [f"header {parameter['name']}{error[1:]}" for error in _errors(
            MESSAGING, _pointer(*base, "parameters", str(index), "schema"), value)]
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        found += _errors(MESSAGING, _pointer(*base, "requestBody", "content",
                                             "application/json", "schema"), body)
    return found


def answer_errors(method: str, path: str, status: int, body: Any) -> list[str]:
    """What is wrong with LINE's answer to a request, by the responses messaging-api.yml
    documents for that status (an error it does not list, by `ErrorResponse`)."""
    try:
        template, operation = _operation(method, path)
    except LookupError:
        if status < 400:
            raise
        template, operation = path, {"responses": {}}
    response = operation["responses"].get(str(int(status)))
    if response is None and status >= 400:
        # The files list only some of each call's errors; all of LINE's share one shape.
        return _errors(MESSAGING, "components/schemas/ErrorResponse", body)
    if response is None:
        return [f"LINE documents no {int(status)} answer to {method} {template}"]
    if "application/json" not in response.get("content", {}):
        return []
    return _errors(MESSAGING, _pointer("paths", template, method.lower(), "responses",
                                       str(int(status)), "content", "application/json",
                                       "schema"), body)


def webhook_errors(body: Any) -> list[str]:
    """What is wrong with a webhook request body, by webhook.yml's `CallbackRequest`."""
    return _errors(WEBHOOK, "components/schemas/CallbackRequest", body)


def call_errors(api: LineApi) -> list[str]:
    """Every request the stand-in accepted (2xx) and every JSON answer it gave that LINE's
    file refuses."""
    found = []
    for call in api.calls:
        where = f"{call.method} {call.host} {call.path} → {int(call.answer.status)}"
        if call.answer.status < 300:
            found += [f"{where} request{e}" for e in request_errors(
                call.method, call.path, call.headers, call.body)]
        if isinstance(call.answer.body, dict):
            found += [f"{where} answer{e}" for e in answer_errors(
                call.method, call.path, call.answer.status, call.answer.body)]
    return found
