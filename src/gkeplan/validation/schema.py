"""Generate spec/gkeplan.schema.json from the models: `python -m gkeplan.validation.schema`."""

from __future__ import annotations

import json

from gkeplan.kinds import Spec

SCHEMA_ID = "https://gkeplan.dev/schema/gkeplan.schema.json"


def schema() -> dict[str, object]:
    data = Spec.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **data,
    }


def render() -> str:
    return json.dumps(schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(render(), end="")
