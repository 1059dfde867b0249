"""The conversion: every resource instance of the configuration, through the mapping of its
type (each kind's `terraform` module, found through the registry), into one spec document,
with a report of everything that could not be expressed."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gkeplan.convert import config
from gkeplan.convert.api import Item, Mapping, TfResource
from gkeplan.convert.evaluate import evaluate
from gkeplan.convert.hcl import ConfigError
from gkeplan.convert.values import MISSING, Ref, Unknown, Var, concrete

# A provider that impersonates: access_token = data.google_service_account_access_token.X
# .access_token, whose target_service_account is the account it acts as.
TOKEN_TYPE = "google_service_account_access_token"


def mappings() -> dict[str, Mapping]:
    """Each kind's Terraform mappings: `terraform.py` beside the kind's own package, if any."""
    from gkeplan.kinds import KINDS

    out: dict[str, Mapping] = {}
    seen: set[str] = set()
    for kind in KINDS:
        package = kind.driver.partition(":")[0].rpartition(".")[0]
        if package in seen:
            continue
        seen.add(package)
        try:
            module = importlib.import_module(f"{package}.terraform")
        except ModuleNotFoundError as exc:
            if exc.name != f"{package}.terraform":
                raise
            continue
        for m in getattr(module, "MAPPINGS", ()):
            out[m.tf_type] = m
    return out


# Why a resource of another provider or without a gkeplan kind is left out, and what to do.
_OUTSIDE = (
    (
        re.compile(r"(kubernetes|kubectl|helm)_"),
        "a Kubernetes object: gkeplan provisions the cloud side, not what runs in the cluster",
        "keep it in Terraform, Helm or kubectl manifests",
    ),
    (
        re.compile(r"google_project_service\Z"),
        "gkeplan does not enable APIs: `plan` checks they are enabled and prints the "
        "`gcloud services enable` line to run",
        "enable the APIs once with gcloud",
    ),
)


# Resources whose job gkeplan does itself: nothing of them goes into the spec.
_NOTHING_TO_CONVERT = {
    "time_sleep": "a fixed wait for IAM propagation: nothing to convert, gkeplan retries a step "
    "that follows a fresh grant or account instead (up to --retry-timeout)",
}


def _outside(type_: str) -> tuple[str, str]:
    for pattern, why, fix in _OUTSIDE:
        if pattern.match(type_):
            return why, fix
    if type_.startswith("google_"):
        return f"gkeplan has no kind for {type_}", "keep it in Terraform"
    provider = type_.split("_", 1)[0]
    return f"not a Google Cloud resource (provider {provider})", "keep it in Terraform"


@dataclass
class Conversion:
    spec: dict[str, Any]
    comments: dict[tuple[Any, ...], list[str]]
    items: list[Item]
    converted: dict[str, str]  # Terraform address -> the gkeplan kind it became
    left_out: list[str]  # Terraform addresses left out whole
    provider_version: str | None
    paths: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not any(i.left_out for i in self.items)


class Converter:
    """The `Output` every mapping writes to."""

    def __init__(self, roots: list[config.Module], table: dict[str, Mapping]) -> None:
        self.roots = roots
        self.table = table
        self.spec: dict[str, Any] = {}
        self.comments: dict[tuple[Any, ...], list[str]] = {}
        self.items: list[Item] = []
        self.instances: dict[str, config.Instance] = {}
        self.skipped: list[config.Skipped] = []
        for module in config.modules(roots):
            for inst in config.instances(module):
                if isinstance(inst, config.Skipped):
                    self.skipped.append(inst)
                elif inst.address in self.instances and inst.mode == "managed":
                    first = self.instances[inst.address].block
                    raise ConfigError(
                        f"{inst.block.file}:{inst.block.line}: {inst.address} is also at "
                        f"{first.file}:{first.line}: the root modules given make the same "
                        "address; convert them one at a time, each into its own spec"
                    )
                else:
                    self.instances.setdefault(inst.address, inst)
        self.keys: dict[str, tuple[str, str]] = {}  # address -> (type, key)
        self.resources: dict[str, TfResource] = {}
        self.variables: dict[str, Var] = {}
        self._members: dict[str, str] | None = None
        self.version = _provider_version(roots)
        self.project, self.region = self._project_region()

    # --- Output ----------------------------------------------------------------------------
    def provider_major(self) -> int | None:
        if self.version is None:
            return None
        m = re.search(r"(\d+)", self.version)
        return int(m.group(1)) if m else None

    def use_var(self, var: Var) -> None:
        self.variables[var.spec_name] = var

    def instance(self, address: str) -> config.Instance | None:
        found = self.instances.get(address) or self.instances.get(address + "[0]")
        return found

    def key_of(self, ref: Any, types: Iterable[str]) -> str | None:
        if not isinstance(ref, Ref):
            return None
        inst = self.instance(ref.address)
        if inst is None or inst.type not in set(types) or inst.address not in self.keys:
            return None
        return self.keys[inst.address][1]

    def render_ref(self, ref: Ref) -> Any:
        inst = self.instance(ref.address)
        if inst is None:
            return Unknown(f"{ref.address} is not a resource of this configuration")
        if inst.mode == "data":
            return Unknown(f"it comes from data source {inst.address}, which gkeplan does not read")
        res = self.resources.get(inst.address) or self._resource(inst)
        attr = ref.attr[0] if ref.attr else None
        mapping = self.table.get(inst.type)
        if mapping is not None and mapping.computed is not None and isinstance(attr, str):
            value = mapping.computed(res, self, attr)
            if value is not None:
                return value
        if isinstance(attr, str) and attr in res.body.attrs and len(ref.attr) == 1:
            return res.render(res.peek(attr))
        if attr == "project":
            return self.project
        return Unknown(f"{ref.address}.{'.'.join(map(str, ref.attr))} is known only once made")

    def resource_of(self, value: Any) -> TfResource | None:
        inst = self.instance(value.address) if isinstance(value, Ref) else None
        return None if inst is None else self.resources.get(inst.address) or self._resource(inst)

    def create_as(self, res: TfResource) -> str | None:
        provider: config.Provider | None = res.provider
        if provider is None:
            return None
        token = provider.arg("access_token")
        if not isinstance(token, Ref):
            return None
        data = self.instance(token.address)
        if data is None or data.type != TOKEN_TYPE:
            return None
        attr = data.block.body.attrs.get("target_service_account")
        target = evaluate(attr.expr, data.scope) if attr else None
        key = self._member_key(target)
        if key is None and target is not None:
            holder = self._resource(data)
            text = holder.render(target)
            key = self.account_key(text) if isinstance(text, str) else None
        return key

    def _member_key(self, value: Any) -> str | None:
        members = [t for t, m in self.table.items() if m.member is not None]
        return self.key_of(value, members)

    def account_key(self, member_or_email: str) -> str | None:
        """The spec key of the converted resource that is this IAM member (or email)."""
        if self._members is None:  # keys are all given before any mapping translates
            self._members = {}
            for address, (type_, key) in self.keys.items():
                attr = self.table[type_].member
                if attr is not None:
                    member = self.render_ref(Ref(address, (attr,)))
                    if isinstance(member, str):
                        self._members.setdefault(member, key)
                        self._members.setdefault(member.partition(":")[2], key)
        return self._members.get(member_or_email)

    def put(self, section: str, key: str, body: dict[str, Any], res: TfResource) -> None:
        self._lifecycle(body, res)
        self.spec.setdefault(section, {})[key] = body
        self.comments[(section, key)] = [_origin(res)]

    def put_nested(self, path: tuple[str, ...], body: dict[str, Any], res: TfResource) -> bool:
        target: Any = self.spec
        for part in path[:-1]:
            if not isinstance(target, dict) or part not in target:
                if part == path[-2]:
                    target[part] = {}
                else:
                    return False
            target = target[part]
        self._lifecycle(body, res)
        target[path[-1]] = body
        self.comments[path] = [_origin(res)]
        return True

    def append(self, section: str, body: dict[str, Any], res: TfResource) -> None:
        items = self.spec.setdefault(section, [])
        items.append(body)
        self.comments[(section, len(items) - 1)] = [_origin(res)]

    def extend(self, path: tuple[str, ...], values: list[Any], res: TfResource) -> bool:
        target: Any = self.spec
        for part in path[:-1]:
            if not isinstance(target, dict) or part not in target:
                return False
            target = target[part]
        items = target.setdefault(path[-1], [])
        items.extend(v for v in values if v not in items)
        self.comments.setdefault(path, []).append(_origin(res))
        return True

    def report(self, item: Item) -> None:
        self.items.append(item)

    # --- the run ---------------------------------------------------------------------------
    def _resource(self, inst: config.Instance) -> TfResource:
        return TfResource(
            inst.address,
            inst.type,
            inst.name,
            inst.block.body,
            inst.scope,
            self,
            inst.block.file,
            inst.block.line,
            inst.index,
            provider=inst.provider,
        )

    def run(self) -> Conversion:
        table = self.table
        converted: dict[str, str] = {}
        left_out: list[str] = []
        for skipped in self.skipped:
            left_out.append(skipped.address)
            self.report(
                Item(
                    skipped.address,
                    skipped.block.file,
                    skipped.block.line,
                    "resource",
                    skipped.why,
                    skipped.fix,
                )
            )
        managed = [i for i in self.instances.values() if i.mode == "managed"]
        mapped = [(table[i.type], i) for i in managed if i.type in table]
        for inst in managed:
            if inst.type in _NOTHING_TO_CONVERT:
                self.report(
                    Item(
                        inst.address,
                        inst.block.file,
                        inst.block.line,
                        "resource",
                        _NOTHING_TO_CONVERT[inst.type],
                        "",
                        left_out=False,
                    )
                )
            elif inst.type not in table:
                why, fix = _outside(inst.type)
                left_out.append(inst.address)
                self.report(
                    Item(inst.address, inst.block.file, inst.block.line, "resource", why, fix)
                )
        mapped.sort(key=lambda pair: pair[0].order)
        taken: set[tuple[str, str]] = set()
        for mapping, inst in mapped:
            res = self._resource(inst)
            self.resources[inst.address] = res
            if mapping.key is not None:
                key = mapping.key(res, self)
                base, n = key, 2
                while (mapping.kind, key) in taken:
                    key, n = f"{base}-{n}", n + 1
                taken.add((mapping.kind, key))
                self.keys[inst.address] = (inst.type, key)
        for mapping, inst in mapped:
            res = self.resources[inst.address]
            res.used.clear()
            mapping.translate(res, self)
            converted[inst.address] = mapping.kind
            if "depends_on" in inst.block.body.attrs:
                attr = inst.block.body.attrs["depends_on"]
                self.report(
                    Item(
                        inst.address,
                        attr.file,
                        attr.line,
                        "depends_on",
                        "not carried over: gkeplan orders changes by the references between "
                        "resources (and what GCP needs first), not by an explicit list",
                        "add dependsOn: [ADDRESS] to the spec's resource if another order matters",
                        left_out=False,
                    )
                )
            for what, line in res.unread():
                self.report(
                    Item(
                        inst.address,
                        res.file,
                        line,
                        what,
                        f"gkeplan's {mapping.kind} has no field for it",
                        "check whether it matters; if it does, keep this resource in Terraform",
                    )
                )
        return Conversion(
            self._document(),
            self.comments,
            self.items,
            converted,
            left_out,
            self.version,
            [r.shown for r in self.roots],
        )

    def _project_region(self) -> tuple[str, str]:
        project = region = None
        for root in self.roots:
            provider = root.providers.get("google")
            if provider is None:
                continue
            holder = TfResource(
                "provider.google",
                "provider",
                "google",
                provider.block.body,
                root,
                self,
                provider.block.file,
                provider.block.line,
            )
            if project is None and provider.arg("project") is not MISSING:
                project = holder.render(provider.arg("project"))
            if region is None and provider.arg("region") is not MISSING:
                region = holder.render(provider.arg("region"))
        out = []
        for name, value in (("project", project), ("region", region)):
            if isinstance(value, str):
                out.append(value)
                continue
            variable = Var({"project": "project_id"}.get(name, name))
            self.variables.setdefault(variable.spec_name, variable)
            out.append("${" + variable.spec_name + "}")
            root = self.roots[0]
            provider = root.providers.get("google")
            file, line = (provider.block.file, provider.block.line) if provider else (root.shown, 0)
            why = value.why if isinstance(value, Unknown) else "the google provider does not set it"
            self.report(
                Item(
                    "provider.google",
                    file,
                    line,
                    name,
                    f"{why}; the spec takes it from the variable {variable.spec_name}",
                    f"give it: --var {variable.spec_name}=VALUE when you plan",
                )
            )
        return out[0], out[1]

    def _lifecycle(self, body: dict[str, Any], res: TfResource) -> None:
        block = res.block("lifecycle")
        if block is None:
            return
        if block.flag("prevent_destroy"):
            body["lifecycle"] = {"preventDestroy": True}
        for name in list(block.body.attrs):
            if name != "prevent_destroy":
                block.leave(
                    name,
                    "gkeplan's lifecycle has preventDestroy only",
                    "drop it, or keep the resource in Terraform",
                )

    def _document(self) -> dict[str, Any]:
        from gkeplan.kinds import KINDS

        doc: dict[str, Any] = {"version": 1, "project": self.project, "region": self.region}
        variables = {}
        for name, var in sorted(self.variables.items()):
            entry: dict[str, Any] = {}
            description = self._description(var.name)
            if description:
                entry["description"] = description
            value = var.value
            if value is not MISSING and isinstance(value, (str, int, float, bool)):
                entry["default"] = value
            variables[name] = entry
        if variables:
            doc["variables"] = variables
        order = [_camel(k.section.name) for k in KINDS if k.section is not None]
        for section in order:
            if section in self.spec:
                doc[section] = self.spec[section]
        for section, value in self.spec.items():
            doc.setdefault(section, value)
        return doc

    def _description(self, name: str) -> str | None:
        for root in self.roots:
            block = root.variables.get(name)
            if block is not None and "description" in block.body.attrs:
                value = concrete(evaluate(block.body.attrs["description"].expr, root))
                return value if isinstance(value, str) else None
        return None


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _origin(res: TfResource) -> str:
    return f"from {res.address} ({res.file}:{res.line})"


def _provider_version(roots: list[config.Module]) -> str | None:
    """The Google provider version the configuration pins (the most exact constraint)."""
    found: list[str] = []
    for module in config.modules(roots):
        for block in module.body.blocks_of("terraform"):
            for req in block.body.blocks_of("required_providers"):
                attr = req.body.attrs.get("google")
                value = concrete(evaluate(attr.expr, module)) if attr else None
                if isinstance(value, dict) and isinstance(value.get("version"), str):
                    found.append(value["version"])
    exact = [v for v in found if re.fullmatch(r"=?\s*\d+\.\d+\.\d+", v.strip())]
    if exact:
        return exact[0]
    return found[0] if found else None


def convert(paths: list[Path], variables: dict[str, Any], var_files: list[Path]) -> Conversion:
    roots = config.load(paths, variables, var_files)
    return Converter(roots, mappings()).run()
