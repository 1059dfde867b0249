"""firewall for `import --generate`: the project's VPC firewall rules, by name, except GKE's own
and (unless asked for) the default network's pre-populated ones."""

from __future__ import annotations

import re

from gkeplan.kinds import generating as gen
from gkeplan.kinds.firewall import Firewall
from gkeplan.kinds.network import COMPUTE_API, network_id

DRIVER = "gkeplan.kinds.firewall.driver:FirewallDriver"
# "GKE creates the following ingress firewall rules when creating a cluster:
# gke-[cluster-name]-[cluster-hash]-master ... -vms ... -all" (and -ssh on public clusters)
# (https://cloud.google.com/kubernetes-engine/docs/concepts/firewall-rules)
GKE_RULES_DOC = "https://cloud.google.com/kubernetes-engine/docs/concepts/firewall-rules"
GKE_RULE = re.compile(r"gke-.+")
# The default network's rules: default-allow-internal, default-allow-ssh, default-allow-rdp and
# default-allow-icmp (CIS GCP benchmark 3.1, https://docs.datadoghq.com/security_platform/
# default_rules/cis-gcp-1.3.0-3.1/; "Rules: https://cloud.google.com/vpc/docs/firewalls#
# more_rules_default_vpc", https://gist.github.com/paseaf/7e971687670eb5c045b7c011416fa7ae)
DEFAULT_RULES_DOC = "https://cloud.google.com/vpc/docs/firewalls#more_rules_default_vpc"
DEFAULT_RULES = frozenset(
    {"default-allow-internal", "default-allow-ssh", "default-allow-rdp", "default-allow-icmp"}
)


class FirewallGenerator(gen.Global, gen.ListsAll):
    driver = DRIVER
    kind = "firewall"
    reads: tuple[str, ...] = ("network",)
    holds: tuple[str, ...] = ()
    apis: tuple[str, ...] = (COMPUTE_API,)

    def write(self, found: gen.Found, listing: gen.Listing) -> gen.Written:
        a = found.attributes
        if GKE_RULE.match(a["name"]):
            return gen.LeftOut(
                self.kind, found.id, "made and managed by GKE for a cluster", GKE_RULES_DOC
            )
        if a["name"] in DEFAULT_RULES and a["network"] == "default" and not listing.default_network:
            return gen.LeftOut(
                self.kind,
                found.id,
                "a pre-populated rule of the default network (--include default-network "
                "generates it)",
                DEFAULT_RULES_DOC,
            )
        return gen.entry(
            listing,
            found,
            Firewall,
            {
                "network": listing.ref(
                    "network", network_id(listing.project, a["network"]), a["network"]
                ),
                "direction": a["direction"],
                "priority": a["priority"],
                "sourceRanges": a["sourceRanges"],
                "destinationRanges": a["destinationRanges"],
                "sourceTags": a["sourceTags"],
                "targetTags": a["targetTags"],
                "allow": a["allow"],
                "deny": a["deny"],
                "disabled": a["disabled"],
                "description": a["description"],
            },
            "firewalls",
            a["name"],
            a["name"],
        )


GENERATOR = FirewallGenerator()
