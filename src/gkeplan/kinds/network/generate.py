"""network for `import --generate`: the project's VPC networks, by name; the `default` network
only when asked for (--include default-network)."""

from __future__ import annotations

from gkeplan.kinds import generating as gen
from gkeplan.kinds.network import COMPUTE_API, Network

DRIVER = "gkeplan.kinds.network.driver:NetworkDriver"
# "By default, for each project, a `default` network is created" with the rules
# default-allow-internal, -ssh, -rdp and -icmp, "an auto-mode network" (CIS GCP benchmark 3.1,
# https://docs.datadoghq.com/security_platform/default_rules/cis-gcp-1.3.0-3.1/); Google's
# page on it: https://cloud.google.com/vpc/docs/vpc#default-network
DEFAULT_NETWORK = "default"
DEFAULT_NETWORK_DOC = "https://cloud.google.com/vpc/docs/vpc#default-network"


class NetworkGenerator(gen.Global, gen.ListsAll):
    driver = DRIVER
    kind = "network"
    reads: tuple[str, ...] = ()
    holds: tuple[str, ...] = ()
    apis: tuple[str, ...] = (COMPUTE_API,)

    def write(self, found: gen.Found, listing: gen.Listing) -> gen.Written:
        a = found.attributes
        if a["name"] == DEFAULT_NETWORK and not listing.default_network:
            return gen.LeftOut(
                self.kind,
                found.id,
                "the project's default network, made by GCP with the project "
                "(--include default-network generates it and its rules)",
                DEFAULT_NETWORK_DOC,
            )
        return gen.entry(
            listing,
            found,
            Network,
            {
                "autoCreateSubnetworks": a["autoCreateSubnetworks"],
                "routingMode": a["routingMode"],
                "mtu": a["mtu"],
                "description": a["description"],
            },
            "networks",
            a["name"],
            a["name"],
        )


GENERATOR = NetworkGenerator()
