"""Direct access to a cluster's API, for what must not travel through Git."""

from wildside_ops.kube.secrets import KubeError, KubeSecrets

__all__ = ["KubeError", "KubeSecrets"]
