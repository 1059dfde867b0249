"""A Terraform configuration as Terraform would instantiate it: the root module and its local
modules, their variables, locals and outputs, providers, and every resource instance that
count and for_each make, each at its Terraform address."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gkeplan.convert.evaluate import evaluate
from gkeplan.convert.hcl import Attr, Block, Body, ConfigError, load_dir, parse_hcl, parse_json
from gkeplan.convert.values import MISSING, Unknown, Var, concrete
from gkeplan.errors import UsageError

# Module sources Terraform reads from disk: "A local path must begin with either ./ or ../"
# (https://developer.hashicorp.com/terraform/language/modules/sources#local-paths).
_LOCAL = ("./", "../", ".\\", "..\\")


@dataclass
class Provider:
    """One `provider "google"` block, in the module that declares it."""

    module: Module
    block: Block

    @property
    def alias(self) -> str | None:
        attr = self.block.body.attrs.get("alias")
        value = evaluate(attr.expr, self.module) if attr else None
        return value if isinstance(value, str) else None

    def arg(self, name: str) -> Any:
        attr = self.block.body.attrs.get(name)
        return MISSING if attr is None else evaluate(attr.expr, self.module)


@dataclass
class Instance:
    """A resource or data source instance (count/for_each expanded) with its scope."""

    address: str  # module.iam.google_service_account.sa_gke_admin, ...node_pool.p[0]
    mode: str  # "managed" or "data"
    type: str
    name: str
    block: Block
    scope: InstanceScope
    provider: Provider | None
    index: Any = None


@dataclass
class Skipped:
    """A resource Terraform makes no instance of with these values (count = 0), or whose
    count / for_each cannot be known before Terraform runs."""

    address: str
    block: Block
    why: str
    fix: str


class Module:
    """One module instance: its folder's blocks, evaluated lazily in its own scope."""

    def __init__(
        self,
        folder: Path,
        shown: str,
        root: Path,
        prefix: str,
        inputs: Mapping[str, Any],
        providers: dict[str, Provider],
        body: Body | None = None,
    ) -> None:
        self.folder = folder
        self.shown = shown
        self.root = root
        self.prefix = prefix
        self.body = body if body is not None else load_dir(folder, shown)
        self.inputs = dict(inputs)
        self.variables = {b.labels[0]: b for b in self.body.blocks_of("variable") if b.labels}
        self.locals: dict[str, Attr] = {}
        for block in self.body.blocks_of("locals"):
            self.locals.update(block.body.attrs)
        self.outputs = {b.labels[0]: b for b in self.body.blocks_of("output") if b.labels}
        self._local_values: dict[str, Any] = {}
        self._evaluating: set[str] = set()
        self.providers = dict(providers)
        for block in self.body.blocks_of("provider"):
            if block.labels and block.labels[0] == "google":
                p = Provider(self, block)
                self.providers["google" if p.alias is None else f"google.{p.alias}"] = p
        self.children: dict[str, Module] = {}
        self.skipped: list[Skipped] = []

    # --- Scope ---------------------------------------------------------------------------------
    def var(self, name: str) -> Any:
        if name in self.inputs:
            value = self.inputs[name]
            # a module input is its caller's expression, read in the caller's scope when used
            return evaluate(value.attr.expr, value.caller) if isinstance(value, _Input) else value
        block = self.variables.get(name)
        if block is None:
            return Unknown(f"var.{name} is not declared in {self.shown or 'the root module'}")
        default = block.body.attrs.get("default")
        if default is None:
            return Unknown(f"var.{name} of {self.prefix.rstrip('.') or 'the root'} has no value")
        return evaluate(default.expr, self)

    def local(self, name: str) -> Any:
        if name in self._local_values:
            return self._local_values[name]
        attr = self.locals.get(name)
        if attr is None:
            return Unknown(f"local.{name} is not defined")
        if name in self._evaluating:
            return Unknown(f"local.{name} refers to itself")
        self._evaluating.add(name)
        value = evaluate(attr.expr, self)
        self._evaluating.discard(name)
        self._local_values[name] = value
        return value

    def module_output(self, module: str, output: str) -> Any:
        child = self.children.get(module)
        if child is None:
            return Unknown(f"module.{module} is not a local module of this configuration")
        block = child.outputs.get(output)
        attr = block.body.attrs.get("value") if block else None
        if attr is None:
            return Unknown(f"module.{module} has no output {output}")
        return evaluate(attr.expr, child)

    def each(self) -> tuple[Any, Any] | None:
        return None

    def count_index(self) -> int | None:
        return None


class InstanceScope:
    """A module's scope inside one resource instance (count.index, each.key / each.value)."""

    def __init__(self, module: Module, count: int | None = None, each: Any = None) -> None:
        self.module = module
        self.folder = module.folder
        self.root = module.root
        self.prefix = module.prefix
        self._count = count
        self._each = each

    def var(self, name: str) -> Any:
        return self.module.var(name)

    def local(self, name: str) -> Any:
        return self.module.local(name)

    def module_output(self, module: str, output: str) -> Any:
        return self.module.module_output(module, output)

    def each(self) -> tuple[Any, Any] | None:
        return self._each  # type: ignore[no-any-return]

    def count_index(self) -> int | None:
        return self._count


def _traversal(expr: Any) -> str:
    """`google.impersonated` as written (a provider reference is not a value)."""
    if isinstance(expr, str):
        return expr
    text = str(expr.serialize()) if hasattr(expr, "serialize") else str(expr)
    return text.removeprefix("${").removesuffix("}")


def load(paths: list[Path], supplied: Mapping[str, Any], var_files: list[Path]) -> list[Module]:
    """Each root module given, with its local modules; root variables from terraform.tfvars,
    *.auto.tfvars, the var files and -var, in Terraform's order of precedence."""
    roots = []
    for path in paths:
        shown = str(path)
        body = load_dir(path, shown)
        values: dict[str, Any] = {}
        auto = [path / "terraform.tfvars", *sorted(path.glob("*.auto.tfvars"))]
        for file in [*(p for p in auto if p.is_file()), *var_files]:
            values.update(read_tfvars(file))
        values.update(supplied)
        declared = {b.labels[0]: b for b in body.blocks_of("variable") if b.labels}
        inputs: dict[str, Any] = {}
        scratch = Module(path, "", path, "", {}, {}, body)
        for name, block in declared.items():
            if name in values:
                value = _typed(values[name], block)
            elif "default" in block.body.attrs:
                value = concrete(evaluate(block.body.attrs["default"].expr, scratch))
            else:
                value = MISSING
            inputs[name] = Var(name, value)
        root = Module(path, shown, path, "", inputs, {}, body)
        _children(root)
        roots.append(root)
    declared_anywhere = {name for root in roots for name in root.variables}
    for name in supplied:
        if name not in declared_anywhere:
            # Terraform refuses it too: "Value for undeclared variable" (a -var the root
            # module does not declare)
            raise UsageError(
                f"{name}: the configuration declares no variable {name} (its variables: "
                f"{', '.join(sorted(declared_anywhere)) or 'none'})",
                hint="--var",
            )
    return roots


def _typed(value: Any, block: Block) -> Any:
    """A -var value as Terraform reads it for the variable's declared type."""
    attr = block.body.attrs.get("type")
    kind = _traversal(attr.expr) if attr else "string"
    if not isinstance(value, str):
        return value
    if kind == "bool" and value in ("true", "false"):
        return value == "true"
    if kind == "number":
        try:
            return float(value) if "." in value else int(value)
        except ValueError:
            return value
    return value


@dataclass(frozen=True)
class _Input:
    attr: Attr
    caller: Module


def _children(module: Module) -> None:
    for block in module.body.blocks_of("module"):
        name = block.labels[0] if block.labels else "?"
        source_attr = block.body.attrs.get("source")
        source = evaluate(source_attr.expr, module) if source_attr else None
        where = f"{block.file}:{block.line}"
        if not isinstance(source, str):
            raise ConfigError(f"{where}: module.{name} has no source that can be read")
        if not source.startswith(_LOCAL):
            raise ConfigError(
                f"{where}: module.{name} comes from {source!r}, a remote source (a registry or "
                "git module); gkeplan convert reads local modules only and fetches nothing: "
                "copy the module into the configuration (or run `terraform get` and convert "
                "the copy under .terraform/modules) and point source at it with ./"
            )
        for meta in ("count", "for_each"):
            if meta in block.body.attrs:
                raise ConfigError(
                    f"{where}: module.{name} has {meta}; gkeplan convert does not expand "
                    f"modules by {meta}: convert with one instance written out"
                )
        folder = (module.folder / source).resolve()
        shown = _join(module.shown, source)
        inputs = {
            k: _Input(a, module)
            for k, a in block.body.attrs.items()
            if k not in ("source", "version", "providers", "depends_on")
        }
        providers = {"google": module.providers["google"]} if "google" in module.providers else {}
        mapping = block.body.attrs.get("providers")
        if mapping is not None:
            for key, value in _provider_map(mapping.expr).items():
                if value in module.providers:
                    providers[key] = module.providers[value]
        child = Module(
            folder, shown, module.root, f"{module.prefix}module.{name}.", inputs, providers
        )
        module.children[name] = child
        _children(child)


def _provider_map(expr: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(expr, dict):
        return {k: str(v) for k, v in expr.items()}
    inner = expr
    while type(inner).__name__ == "ExprTermRule":
        kids = [c for c in inner.children if hasattr(c, "children")]
        inner = kids[0]
    for elem in (c for c in inner.children if type(c).__name__ == "ObjectElemRule"):
        key_rule, value_rule = [c for c in elem.children if hasattr(c, "children")][:2]
        out[_traversal(key_rule).strip('"')] = _traversal(value_rule)
    return out


def _join(base: str, source: str) -> str:
    lead = "/" if base.startswith("/") else ""
    parts = [p for p in (base.rstrip("/") + "/" + source).split("/") if p not in ("", ".")]
    out: list[str] = []
    for p in parts:
        if p == ".." and out:
            out.pop()
        else:
            out.append(p)
    return lead + "/".join(out)


def modules(roots: list[Module]) -> Iterator[Module]:
    stack = list(reversed(roots))
    while stack:
        module = stack.pop()
        yield module
        stack.extend(reversed(list(module.children.values())))


def instances(module: Module) -> Iterator[Instance | Skipped]:
    """The module's own resource and data instances, count and for_each expanded."""
    for mode, block_type in (("managed", "resource"), ("data", "data")):
        for block in module.body.blocks_of(block_type):
            if len(block.labels) < 2:
                continue
            type_, name = block.labels[0], block.labels[1]
            base = f"{module.prefix}{'data.' if mode == 'data' else ''}{type_}.{name}"
            provider = _provider_of(module, block)
            attrs = block.body.attrs
            if "count" in attrs:
                count = concrete(evaluate(attrs["count"].expr, module))
                if isinstance(count, Unknown) or not isinstance(count, (int, float)):
                    why = count.why if isinstance(count, Unknown) else f"count is {count!r}"
                    yield Skipped(base, block, why, "give the variables it needs with --var")
                    continue
                if int(count) == 0:
                    yield Skipped(
                        base,
                        block,
                        f"count is 0 with these variables ({_count_text(attrs['count'])}), so "
                        "Terraform makes no instance of it",
                        "convert with the --var values that give it an instance",
                    )
                for i in range(int(count)):
                    scope = InstanceScope(module, count=i)
                    yield Instance(f"{base}[{i}]", mode, type_, name, block, scope, provider, i)
            elif "for_each" in attrs:
                each = concrete(evaluate(attrs["for_each"].expr, module))
                if isinstance(each, Unknown) or not isinstance(each, (list, dict)):
                    why = each.why if isinstance(each, Unknown) else "for_each is not a set or map"
                    yield Skipped(base, block, why, "give the variables it needs with --var")
                    continue
                pairs = each.items() if isinstance(each, dict) else ((v, v) for v in each)
                for key, value in pairs:
                    scope = InstanceScope(module, each=(key, value))
                    yield Instance(
                        f'{base}["{key}"]', mode, type_, name, block, scope, provider, key
                    )
            else:
                yield Instance(base, mode, type_, name, block, InstanceScope(module), provider)


def _count_text(attr: Attr) -> str:
    text = _traversal(attr.expr)
    return re.sub(r"\s+", " ", text)


def _provider_of(module: Module, block: Block) -> Provider | None:
    attr = block.body.attrs.get("provider")
    if attr is not None:
        return module.providers.get(_traversal(attr.expr))
    return module.providers.get("google")


def read_tfvars(path: Path) -> dict[str, Any]:
    """A variable definitions file (HCL, or JSON for *.tfvars.json): names and values."""
    if not path.is_file():
        raise ConfigError(f"{path}: no such variables file")
    text = path.read_text(encoding="utf-8")
    body = (
        parse_json(text, str(path)) if path.name.endswith(".json") else parse_hcl(text, str(path))
    )
    empty = Module(path.parent, "", path.parent, "", {}, {}, Body())
    out: dict[str, Any] = {}
    for name, attr in body.attrs.items():
        value = concrete(evaluate(attr.expr, empty))
        if isinstance(value, Unknown):
            raise ConfigError(f"{path}:{attr.line}: {name}: {value.why}; write a plain value")
        out[name] = value
    return out


__all__ = ["Instance", "Module", "Provider", "Skipped", "instances", "load", "modules"]
