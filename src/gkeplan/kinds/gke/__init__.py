"""GKE: clusters (`cluster.NAME`) and their node pools (`nodePool.CLUSTER.POOL`).

`models` holds the spec models, `cluster` and `node_pool` the two kinds, `shared` what they
share, `driver` the calls to Kubernetes Engine and `convert` the mapping to its protos.
"""
