"""The crash campaign: kill -9 `gkeplan apply` while a write is in flight, re-run it to
convergence, and count what went wrong.

Kill points come from the emulator's request log: a calibration apply (not killed) shows when
each mutating call was in flight, relative to the call the server answered just before it
(process start-up varies too much to count from). Each killed apply is watched through the
log until that anchor call is answered, then killed halfway into the write's window. Mutating
calls are slowed (a latency fault rule) so the windows are wide. Whether a kill really
interrupted a write is read back from the log of that apply (a call the server received before
the kill and answered after it) and reported, not assumed.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from gkeplan.gcp.connection import Connection
from gkeplan.gcp.sandbox import endpoint_connection
from gkeplan.run.target import sandbox_timeouts

ENV = {**os.environ, "DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA": "true"}
MUTATING = ("create", "set", "insert", "delete", "update", "patch")
OUTSIDE_MEMBER = "user:colleague@example.com"
OUTSIDE_BUCKET = "demo-project-scratch"
WRITE_LATENCY_S = 0.3
SLOW_WRITES = [
    {"method": f"*.{verb}*", "kind": "latency", "latency_s": WRITE_LATENCY_S}
    for verb in ("create", "insert", "delete", "update", "patch")
] + [{"method": "*setIamPolicy", "kind": "latency", "latency_s": WRITE_LATENCY_S}]


def mutating(method: str) -> bool:
    return method.rsplit(".", 1)[-1].startswith(MUTATING)


@dataclass
class Figures:
    kills: int = 0
    in_flight: int = 0  # kills that landed while a mutating call was in flight
    reruns: int = 0  # applies needed after the kills to converge
    duplicates: int = 0
    adopted_outside: int = 0  # resources in the state that gkeplan did not create
    outside_members_lost: int = 0
    outside_resources_lost: int = 0
    not_converged: int = 0
    objects_lost: int = 0  # the model object in gkeplan's bucket, with a pending move
    interrupted: list[str] = field(default_factory=list)  # the call each kill interrupted

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "interrupted"}


MODEL_OBJECT = "model/saved_model.pb"


class Campaign:
    """`before_text`: a spec applied (not killed) before each trial, with a model object put in
    its bucket, so that every killed apply of `spec_text` starts from a state with pending
    moves (a renamed key)."""

    def __init__(
        self, tmp: Path, spec_text: str, seed: int = 2026, before_text: str | None = None
    ) -> None:
        self.tmp = tmp
        self.spec = tmp / "spec.yaml"
        self.spec_text = spec_text
        self.before_text = before_text
        self.spec.write_text(spec_text)
        self.state = tmp / "state.json"
        self.rng = random.Random(seed)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gkeplan", "sandbox", "serve", "--operation-seconds", "0.3"],
            stdout=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        assert self.proc.stdout is not None
        self.http: str = json.loads(self.proc.stdout.readline())["http"]

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def conn(self) -> Connection:
        return endpoint_connection("demo-project", self.http, sandbox_timeouts())

    def admin(self, path: str, body: dict[str, Any] | None = None) -> Any:
        url = f"{self.http}/_emulator/{path}"
        resp = requests.post(url, json=body, timeout=10) if body is not None else None
        resp = resp or requests.get(url, timeout=10)
        resp.raise_for_status()
        return resp.json()

    def fresh(self) -> None:
        """An empty project holding one outside member and one outside bucket; no state."""
        self.admin("reset", {})
        self.admin("faults", {"rules": SLOW_WRITES})
        self.state.unlink(missing_ok=True)
        projects = self.conn().projects()
        policy = projects.get_iam_policy(request={"resource": "projects/demo-project"})
        policy.bindings.add(role="roles/viewer", members=[OUTSIDE_MEMBER])
        projects.set_iam_policy(request={"resource": "projects/demo-project", "policy": policy})
        storage = self.conn().storage()
        bucket = storage.bucket(OUTSIDE_BUCKET)
        bucket.iam_configuration.uniform_bucket_level_access_enabled = True
        storage.create_bucket(bucket, location="us-central1")
        if self.before_text is not None:
            self.spec.write_text(self.before_text)
            subprocess.run(self.apply_argv(), env=ENV, capture_output=True, check=True, timeout=300)
            owned = json.loads(self.state.read_text())["resources"]
            name = next(r["id"] for r in owned.values() if r["kind"] == "bucket")
            storage.bucket(name).blob(MODEL_OBJECT).upload_from_string(b"weights")
            self.spec.write_text(self.spec_text)

    def log(self) -> list[dict[str, Any]]:
        """The calls of gkeplan (the admin API's own calls, these reads included, left out)."""
        entries: list[dict[str, Any]] = self.admin("requests")["requests"]
        return [e for e in entries if not e["method"].startswith("admin.")]

    def argv(self, command: str, *extra: str) -> list[str]:
        return [
            *(sys.executable, "-m", "gkeplan", command, str(self.spec)),
            *("--var", "PROJECT_ID=demo-project", "--endpoint", self.http),
            *("--state", str(self.state), *extra),
        ]

    def apply_argv(self) -> list[str]:
        return self.argv("apply", "--auto-approve", "--parallelism", "4")

    def kill_points(self) -> list[tuple[int, float]]:
        """For each mutating call of an apply that was not killed: how many calls the server
        had answered when it arrived, and how long after the last of them it was halfway."""
        self.fresh()
        skip = len(self.log())
        subprocess.run(self.apply_argv(), env=ENV, capture_output=True, check=True, timeout=300)
        log = self.log()[skip:]
        ends = [e["started"] + e["seconds"] for e in log]
        points = []
        for j, e in enumerate(log):
            if not mutating(e["method"]) or e["seconds"] <= 0:
                continue
            answered = [i for i in range(j) if ends[i] <= e["started"]]
            if answered:
                i = answered[-1]
                points.append((i + 1, e["started"] - ends[i] + e["seconds"] / 2))
        return points

    def trial(self, point: tuple[int, float], figures: Figures) -> None:
        anchor, delay = point
        self.fresh()
        skip = len(self.log())
        proc = subprocess.Popen(
            self.apply_argv(), env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        while len(self.log()) - skip < anchor and proc.poll() is None:
            time.sleep(0.01)
        time.sleep(delay)
        killed_at = time.time()
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        figures.kills += 1
        self.settle()
        hit = [
            e["method"]
            for e in self.log()[skip:]
            if mutating(e["method"]) and e["started"] <= killed_at <= e["started"] + e["seconds"]
        ]
        if hit:
            figures.in_flight += 1
            figures.interrupted.append(hit[0])
        self.converge(figures)
        self.check(figures)

    def settle(self) -> None:
        """The server logs a call when it answers it: calls in flight at the kill are logged
        once their (slowed) handling ends. Wait for the log to stop growing."""
        seen = -1
        while (now := len(self.log())) != seen:
            seen = now
            time.sleep(WRITE_LATENCY_S + 0.1)

    def converge(self, figures: Figures) -> None:
        for _ in range(3):
            figures.reruns += 1
            done = subprocess.run(
                self.apply_argv(), env=ENV, capture_output=True, text=True, timeout=300, check=False
            )
            if done.returncode == 0:
                break
        plan = subprocess.run(
            self.argv("plan", "--detailed-exitcode"),
            env=ENV,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if plan.returncode != 0:
            figures.not_converged += 1

    def check(self, figures: Figures) -> None:
        conn = self.conn()
        emails = [a.email for a in conn.iam().list_service_accounts(name="projects/demo-project")]
        clusters = conn.container().list_clusters(parent="projects/demo-project/locations/-")
        pools = [p.name for c in clusters.clusters for p in c.node_pools]
        buckets = [b.name for b in conn.storage().list_buckets()]
        figures.duplicates += (
            max(0, len(emails) - 2)
            + max(0, len(clusters.clusters) - 1)
            + max(0, len(pools) - 1)
            + max(0, len(buckets) - 2)
        )
        policy = conn.projects().get_iam_policy(request={"resource": "projects/demo-project"})
        members = [m for b in policy.bindings for m in b.members]
        figures.duplicates += sum(len(b.members) - len(set(b.members)) for b in policy.bindings)
        if OUTSIDE_MEMBER not in members:
            figures.outside_members_lost += 1
        text = self.state.read_text() if self.state.exists() else "{}"
        ids = {r["id"] for r in json.loads(text).get("resources", {}).values()}
        figures.adopted_outside += sum(1 for i in ids if i == OUTSIDE_BUCKET or OUTSIDE_MEMBER in i)
        figures.outside_resources_lost += 0 if OUTSIDE_BUCKET in buckets else 1
        if self.before_text is not None:
            kept = [
                o.name for b in buckets if b != OUTSIDE_BUCKET for o in conn.storage().list_blobs(b)
            ]
            figures.objects_lost += 0 if MODEL_OBJECT in kept else 1


def run(
    tmp: Path, spec_text: str, kills: int, seed: int = 2026, before_text: str | None = None
) -> Figures:
    campaign = Campaign(tmp, spec_text, seed, before_text)
    try:
        points = campaign.kill_points()
        figures = Figures()
        for _ in range(kills):
            campaign.trial(campaign.rng.choice(points), figures)
        return figures
    finally:
        campaign.close()
