"""A Terraform state (format version 4: a local terraform.tfstate, `terraform state pull`, or
the gcs backend's object), read as the instances it records."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from gkeplan.errors import GkeplanError

# "version": 4 is the state format of Terraform 0.12 and later (terraform/internal/states/
# statefile/version4.go, hashicorp/terraform); earlier formats are upgraded by any newer
# `terraform state pull`.
FORMAT = 4
# The provider addresses of the Google providers in a state's "provider" field, e.g.
# provider["registry.terraform.io/hashicorp/google"] (or google-beta).
GOOGLE_PROVIDERS = ('/hashicorp/google"]', '/hashicorp/google-beta"]')


class TerraformStateError(GkeplanError):
    """The Terraform state cannot be used (named with what to do)."""


@dataclass(frozen=True)
class TfInstance:
    address: str
    type: str
    provider: str
    attributes: dict[str, Any]

    @property
    def google(self) -> bool:
        return self.provider.endswith(GOOGLE_PROVIDERS)


@dataclass(frozen=True)
class TfState:
    lineage: str
    serial: int
    terraform_version: str
    instances: list[TfInstance]


def parse(text: str, source: str) -> TfState:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise TerraformStateError(f"{source}: not a Terraform state: not JSON ({exc})") from None
    if not isinstance(data, dict) or "resources" not in data or "lineage" not in data:
        raise TerraformStateError(
            f"{source}: not a Terraform state (no lineage or resources); give terraform.tfstate "
            "or the output of `terraform state pull`"
        )
    if data.get("version") != FORMAT:
        raise TerraformStateError(
            f"{source}: Terraform state format version {data.get('version')!r}; gkeplan reads "
            f"version {FORMAT} (Terraform 0.12 and later): run `terraform state pull > "
            "terraform.tfstate` with a current Terraform and import that"
        )
    instances: list[TfInstance] = []
    try:
        for res in data["resources"]:
            if res.get("mode") != "managed":
                continue
            base = f"{res['module']}." if res.get("module") else ""
            base += f"{res['type']}.{res['name']}"
            for inst in res.get("instances", []):
                key = inst.get("index_key")
                address = (
                    base
                    if key is None
                    else (
                        f"{base}[{key}]" if isinstance(key, int) else f"{base}[{json.dumps(key)}]"
                    )
                )
                instances.append(
                    TfInstance(
                        address,
                        res["type"],
                        str(res.get("provider", "")),
                        dict(inst.get("attributes") or {}),
                    )
                )
    except (KeyError, TypeError, AttributeError) as exc:
        raise TerraformStateError(f"{source}: a malformed Terraform state: {exc!r}") from None
    google = [i for i in instances if i.google]
    if instances and not google:
        providers = sorted({i.provider for i in instances})
        raise TerraformStateError(
            f"{source}: holds no resource of the Google provider (its providers: "
            f"{', '.join(providers)}); give the state of the Google Cloud configuration"
        )
    return TfState(
        str(data["lineage"]),
        int(data.get("serial", 0)),
        str(data.get("terraform_version", "")),
        instances,
    )
