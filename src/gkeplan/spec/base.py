"""The spec's document-level models and the base every resource kind's model builds on.

Keys are camelCase as in Google's APIs; Python attributes are snake_case. Secure settings are
the defaults. The full `Spec` is composed from the resource kinds' sections by the registry in
`gkeplan.kinds`; this module knows no kind.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator
from pydantic.alias_generators import to_camel

from gkeplan.spec.limits import FiniteFloat, Int64
from gkeplan.spec.strings import BucketName, StatePrefix
from gkeplan.spec.yamlsource import SourceMap

T = TypeVar("T")
Name = Annotated[str, Field(min_length=1)]
Labels = dict[str, str]


class Model(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
    )


class Variable(Model):
    description: str | None = None
    default: str | Int64 | FiniteFloat | bool | None = None
    sensitive: bool = Field(False, description="Never printed in plans or logs.")


class PolicyException(Model):
    rule: Name = Field(description="Rule id, e.g. LP001 or CKV_GCP_42.")
    resource: Name = Field(description="Resource address, e.g. cluster.sd-cluster, or '*'.")
    reason: Annotated[str, Field(min_length=3)] = Field(description="Why this finding is waived.")


# Packs' older names, still accepted (validation warns at the spec's line): "free-trial" is
# Google's name for the program whose limits the pack checks (the 90-day, $300 Free Trial;
# the Free Tier is always-free usage: docs.cloud.google.com/free/docs/free-cloud-features).
PACK_ALIASES = {"free-tier": "free-trial"}


class Policy(Model):
    packs: list[Name] = Field(
        default_factory=lambda: ["free-trial", "least-privilege", "security-baseline"]
    )
    # free-tier: the old name of free-trial, accepted with a warning (validation.semantics)
    quota_profile: Literal["free-trial", "default", "live", "free-tier"] | None = Field(
        None,
        description="Quota limits FT001 checks against: a free trial's, a new paid project's, "
        "or the project's own (read at plan time, and by validate --live-quotas). Default: the "
        "free-trial pack's free-trial (free-tier: its old name).",
    )
    quotas: dict[str, Annotated[FiniteFloat, Field(ge=0)]] = Field(
        default_factory=dict,
        description="Quota overrides: METRIC (every region) or REGION/METRIC, e.g. N2_CPUS: 24.",
    )
    parameters: dict[str, FiniteFloat | Int64 | str | bool] = Field(
        default_factory=dict, description="Pack parameter overrides, e.g. maxMonthlyUsd: 100."
    )
    exceptions: list[PolicyException] = Field(default_factory=list)


class State(Model):
    backend: Literal["local", "gcs"] = "local"
    path: str | None = Field(None, description="Local state file (default .gkeplan/state.json).")
    bucket: BucketName | None = Field(None, description="GCS bucket holding state (backend gcs).")
    prefix: StatePrefix | None = Field(None, description="Object prefix inside the bucket.")

    @field_validator("path")
    @classmethod
    def _inside_the_project(cls, path: str | None) -> str | None:
        # A spec is often someone else's file: its state (and lock file) may not land outside
        # the project directory; a path elsewhere is the operator's choice, with --state.
        if path is None:
            return path
        parts = PurePosixPath(path.replace("\\", "/")).parts
        if not path or path.startswith(("/", "~")) or ".." in parts:
            raise ValueError(
                "must be a relative path inside the project directory (no '/', '~' or '..' "
                "at the start, no '..'); give a state elsewhere with --state"
            )
        return path

    @model_validator(mode="after")
    def _gcs_needs_bucket(self) -> State:
        if self.backend == "gcs" and not self.bucket:
            raise ValueError("backend gcs needs 'bucket'")
        return self


class Environment(Model):
    """One named environment (Terraform's workspace with its tfvars): selected with --env
    NAME, its values replace the spec's own for that run."""

    description: str | None = None
    default: bool = Field(
        False, description="Used when no --env is given (at most one environment)."
    )
    project: Name | None = Field(None, description="The project of this environment.")
    variables: dict[str, str | Int64 | FiniteFloat | bool] = Field(
        default_factory=dict,
        description="Variable values: over GKEPLAN_VAR_* and defaults, under --var-file/--var.",
    )
    state: State | None = Field(None, description="This environment's state, as `state:`.")


class Output(Model):
    """A user-defined output (Terraform's `output` block): a resource's attribute, named."""

    value: Annotated[str, Field(pattern=r"^[^.\s]+\.\S+\.[^.\s]+$")] = Field(
        description="ADDRESS.ATTRIBUTE: one of what `gkeplan output` lists (bucket.models.url) "
        "or an attribute `state show` shows (network.vpc.name), or ADDRESS.id."
    )
    description: str | None = None
    sensitive: bool = Field(
        False, description="Shown as <sensitive> except by `output NAME --raw` or --json."
    )


class Lifecycle(Model):
    prevent_destroy: bool = Field(
        False, description="Refuse any plan that would delete or replace this resource."
    )


class Move(Model):
    """The resource the state holds at `from` is the spec's `to` now (Terraform's `moved`
    block). A renamed key whose GCP id stays the same needs none: gkeplan finds it."""

    from_: Name = Field(alias="from", description="The old address, e.g. bucket.models.")
    to: Name = Field(description="The new address, declared in this spec.")


class Resource(Model):
    """What every resource of every kind accepts."""

    depends_on: list[str] = Field(
        default_factory=list, description="Extra ordering: addresses such as bucket.models."
    )
    adopt: bool = Field(
        False,
        description="Take over a resource of this name that exists already, outside gkeplan "
        "(as `gkeplan import` does); without it such a create is refused.",
    )
    lifecycle: Lifecycle = Field(default_factory=Lifecycle)


class Document(Model):
    """A gkeplan spec (version 1): the document-level fields. The kinds' sections
    (serviceAccounts, iam, clusters, buckets, ...) are added by `gkeplan.kinds.Spec`."""

    version: Literal[1]
    project: Name
    region: Name
    variables: dict[str, Variable] = Field(default_factory=dict)
    policy: Policy = Field(default_factory=Policy)
    state: State = Field(default_factory=State)
    environments: dict[Name, Environment] = Field(
        default_factory=dict,
        description="Named environments (--env NAME): variables, state and project for each.",
    )
    outputs: dict[Name, Output] = Field(
        default_factory=dict,
        description="Named outputs, shown by `gkeplan output` after apply: {value: ADDRESS.ATTR}.",
    )
    moved: list[Move] = Field(
        default_factory=list,
        description="Addresses renamed in the spec: [{from: OLD, to: NEW}]. Renames that keep "
        "the GCP id are found without it.",
    )

    _source: SourceMap | None = PrivateAttr(default=None)
    _memo: dict[str, Any] = PrivateAttr(default_factory=dict)
    _environment: str | None = PrivateAttr(default=None)
    # values that are `from:` references validate did not read (`spec.remote`)
    _deferred: list[Any] = PrivateAttr(default_factory=list)

    @property
    def environment(self) -> str | None:
        """The environment this spec was loaded for (--env), or None."""
        return self._environment

    @property
    def source(self) -> SourceMap | None:
        """Where each value came from, when the spec was loaded from YAML."""
        return self._source

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()` once per spec: the spec is frozen, so indexes over it never go stale
        (what each stage needs is computed once, not once per resource)."""
        if key not in self._memo:
            self._memo[key] = compute()
        value: T = self._memo[key]
        return value

    def section(self, name: str) -> Any:
        """A kind's section by its Python name; each kind wraps this in a typed accessor."""
        return getattr(self, name)

    if TYPE_CHECKING:
        # The kinds' sections exist at run time on the composed `Spec`; library users read
        # them as attributes (spec.clusters), gkeplan itself through the kinds' accessors.
        def __getattr__(self, name: str) -> Any: ...
