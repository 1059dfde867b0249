"""subnetwork for `import --generate`: the project's subnetworks in every region, except those
an auto mode network made itself."""

from __future__ import annotations

from gkeplan.kinds import generating as gen
from gkeplan.kinds.network import COMPUTE_API, network_id, overlaps
from gkeplan.kinds.subnetwork import AUTO_MODE, Subnetwork

DRIVER = "gkeplan.kinds.subnetwork.driver:SubnetworkDriver"
# "An auto mode VPC network starts with one subnet per region. Each subnet has a predetermined
# range as described in Auto mode VPC network IP ranges" (compute v1 Network.
# autoCreateSubnetworks); "All of the subnets fits within the 10.128.0.0/9" block (Google
# Cloud's VPC course, https://pt.coursera.org/lecture/migrating-to-gcp-br/tipos-de-nuvem-privada-virtual-qxHjy);
# they are named as their network (a default network's subnetworks are all `default`).
AUTO_SUBNETS_DOC = "https://cloud.google.com/vpc/docs/vpc#auto-mode-considerations"


class SubnetworkGenerator(gen.Regional, gen.ListsAll):
    driver = DRIVER
    kind = "subnetwork"
    reads: tuple[str, ...] = ("network",)
    holds: tuple[str, ...] = ()
    apis: tuple[str, ...] = (COMPUTE_API,)

    def write(self, found: gen.Found, listing: gen.Listing) -> gen.Written:
        a = found.attributes
        net_id = network_id(listing.project, a["network"])
        auto = {
            f.id for f in listing.found.get("network", []) if f.attributes["autoCreateSubnetworks"]
        }
        if net_id in auto and a["name"] == a["network"] and overlaps(a["ipCidrRange"], AUTO_MODE):
            return gen.LeftOut(
                self.kind,
                found.id,
                f"made by the auto mode network {a['network']} itself",
                AUTO_SUBNETS_DOC,
            )
        return gen.entry(
            listing,
            found,
            Subnetwork,
            {
                "network": listing.ref("network", net_id, a["network"]),
                "region": listing.region_of_spec(a["region"]),
                "ipCidrRange": a["ipCidrRange"],
                "secondaryIpRanges": a["secondaryIpRanges"],
                "privateIpGoogleAccess": a["privateIpGoogleAccess"],
                "logConfig": a["logConfig"],
                "description": a["description"],
            },
            "subnetworks",
            a["name"],
            f"{a['name']}-{a['region']}",
            named=True,
        )


GENERATOR = SubnetworkGenerator()
