"""What the policy packs add to validating a 10,000-resource spec (target: under 1 s)."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from generate import generate

from gkeplan.validation.pipeline import validate


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "spec.yaml"
        spec.write_text(generate(10_000).replace("policy: {packs: []}", "policy: {}"))
        without, with_ = [], []
        for _ in range(3):
            start = time.perf_counter()
            validate(spec, environ={}, policies=False)
            without.append(time.perf_counter() - start)
            start = time.perf_counter()
            result = validate(spec, environ={})
            with_.append(time.perf_counter() - start)
        assert result.policy is not None
        added = statistics.median(with_) - statistics.median(without)
        print(
            json.dumps(
                {
                    "bench": "policy",
                    "resources": 10_000,
                    "findings": len(result.policy.findings),
                    "validate_s": round(statistics.median(without), 3),
                    "with_policies_s": round(statistics.median(with_), 3),
                    "policies_add_s": round(added, 3),
                    "target_s": 1.0,
                }
            )
        )


if __name__ == "__main__":
    main()
