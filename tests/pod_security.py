"""A Pod Security Standards checker for tests, written from the published rules.

Source: https://kubernetes.io/docs/concepts/security/pod-security-standards/
(the "Baseline" and "Restricted" tables). Each rule below names its control.
It reads a Kubernetes-shaped pod spec; :func:`from_provider` turns the
Terraform kubernetes provider's shape (snake_case, blocks) into one.
"""

from __future__ import annotations

import re
from typing import Any

BASELINE_CAPABILITIES = {
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}  # fmt: skip
SAFE_SYSCTLS = {
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
}  # fmt: skip
HOST_FLAGS = ("hostNetwork", "hostPID", "hostIPC")
SELINUX_TYPES = {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
RESTRICTED_VOLUMES = {
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
    "persistentVolumeClaim", "projected", "secret",
}  # fmt: skip
# Provider list blocks that are lists in Kubernetes too, with their Kubernetes names.
_LISTS = {
    "container": "containers",
    "init_container": "initContainers",
    "ephemeral_container": "ephemeralContainers",
    "volume": "volumes",
    "volume_mount": "volumeMounts",
    "env": "env",
    "port": "ports",
    "sysctl": "sysctls",
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def from_provider(value: Any) -> Any:
    """The provider's pod spec as Kubernetes writes it (blocks unwrapped, camelCase)."""
    if isinstance(value, list):
        return [from_provider(item) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in _LISTS:
            out[_LISTS[key]] = from_provider(item if isinstance(item, list) else [item])
        elif isinstance(item, list) and len(item) == 1 and isinstance(item[0], dict):
            out[_camel(key)] = from_provider(item[0])
        else:
            out[_camel(key)] = from_provider(item)
    return out


def _containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    kinds = ("containers", "initContainers", "ephemeralContainers")
    return [c for kind in kinds for c in spec.get(kind, [])]


def _contexts(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = [("spec.securityContext", spec.get("securityContext") or {})]
    found += [
        (f"container {c.get('name')!r}", c.get("securityContext") or {}) for c in _containers(spec)
    ]
    return found


def _context_problems(where: str, ctx: dict[str, Any]) -> list[str]:
    """Baseline controls that apply to the pod's and each container's securityContext."""
    problems: list[str] = []
    if (ctx.get("windowsOptions") or {}).get("hostProcess"):
        problems.append(f"HostProcess: {where} sets windowsOptions.hostProcess")
    if ctx.get("privileged"):
        problems.append(f"Privileged Containers: {where} is privileged")
    added = set((ctx.get("capabilities") or {}).get("add", []))
    if added - BASELINE_CAPABILITIES:
        problems.append(f"Capabilities: {where} adds {sorted(added - BASELINE_CAPABILITIES)}")
    apparmor = (ctx.get("appArmorProfile") or {}).get("type")
    if apparmor not in (None, "RuntimeDefault", "Localhost"):
        problems.append(f"AppArmor: {where} uses {apparmor}")
    selinux = ctx.get("seLinuxOptions") or {}
    if selinux.get("type", "") not in SELINUX_TYPES or selinux.get("user") or selinux.get("role"):
        problems.append(f"SELinux: {where} sets {selinux}")
    if ctx.get("procMount") not in (None, "Default"):
        problems.append(f"/proc Mount Type: {where} uses {ctx.get('procMount')}")
    if (ctx.get("seccompProfile") or {}).get("type") == "Unconfined":
        problems.append(f"Seccomp: {where} is Unconfined")
    return problems


def _pod_problems(spec: dict[str, Any], annotations: dict[str, str]) -> list[str]:
    """Baseline controls on the pod as a whole: namespaces, volumes, ports, sysctls."""
    problems = [f"Host Namespaces: spec.{flag} is true" for flag in HOST_FLAGS if spec.get(flag)]
    problems += [
        f"HostPath Volumes: volume {volume.get('name')!r}"
        for volume in spec.get("volumes", [])
        if "hostPath" in volume
    ]
    problems += [
        f"Host Ports: container {container.get('name')!r}"
        for container in _containers(spec)
        for port in container.get("ports", [])
        if port.get("hostPort", 0)
    ]
    problems += [
        f"AppArmor: annotation {key}={value}"
        for key, value in annotations.items()
        if key.startswith("container.apparmor.security.beta.kubernetes.io/")
        and not (value == "runtime/default" or value.startswith("localhost/"))
    ]
    sysctls = {item.get("name") for item in (spec.get("securityContext") or {}).get("sysctls", [])}
    if sysctls - SAFE_SYSCTLS:
        problems.append(f"Sysctls: unsafe {sorted(sysctls - SAFE_SYSCTLS)}")
    return problems


def baseline(spec: dict[str, Any], annotations: dict[str, str] | None = None) -> list[str]:
    """Violations of the Baseline profile."""
    problems = [p for where, ctx in _contexts(spec) for p in _context_problems(where, ctx)]
    return problems + _pod_problems(spec, annotations or {})


def restricted(spec: dict[str, Any], annotations: dict[str, str] | None = None) -> list[str]:
    """Violations of the Restricted profile (which includes Baseline)."""
    problems = baseline(spec, annotations)
    pod = spec.get("securityContext") or {}
    containers = _containers(spec)
    for volume in spec.get("volumes", []):
        kinds = set(volume) - {"name"}
        if not kinds <= RESTRICTED_VOLUMES:
            problems.append(f"Volume Types: volume {volume.get('name')!r} is {sorted(kinds)}")
    for container in containers:
        name, ctx = container.get("name"), container.get("securityContext") or {}
        if ctx.get("allowPrivilegeEscalation") is not False:
            problems.append(f"Privilege Escalation: container {name!r} may escalate")
        if ctx.get("runAsNonRoot") is False or (
            ctx.get("runAsNonRoot") is None and pod.get("runAsNonRoot") is not True
        ):
            problems.append(f"Running as Non-root: container {name!r} may run as root")
        seccomp = (ctx.get("seccompProfile") or pod.get("seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            problems.append(f"Seccomp (v1.19+): container {name!r} has profile {seccomp}")
        capabilities = ctx.get("capabilities") or {}
        if "ALL" not in capabilities.get("drop", []):
            problems.append(f"Capabilities (v1.22+): container {name!r} does not drop ALL")
        if set(capabilities.get("add", [])) - {"NET_BIND_SERVICE"}:
            problems.append(
                f"Capabilities (v1.22+): container {name!r} adds more than NET_BIND_SERVICE"
            )
    for where, ctx in _contexts(spec):
        if _uid(ctx.get("runAsUser")) == 0:
            problems.append(f"Running as Non-root user (v1.23+): {where} sets runAsUser 0")
    return problems


def _uid(value: Any) -> int | None:
    # The provider writes user IDs as strings.
    if value is None or (isinstance(value, str) and not re.fullmatch(r"\d+", value)):
        return None
    return int(value)
