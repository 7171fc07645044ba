"""State backends shared by the stacks."""

from __future__ import annotations

from cdktf import LocalBackend, TerraformStack


def local_backend(stack: TerraformStack, name: str) -> LocalBackend:
    """State beside the project, addressed relative to the stack's folder.

    cdktf's own default is an absolute path, which would make the synthesised
    JSON differ from machine to machine; engines run in
    ``cdktf.out/stacks/<stack>/``, so three levels up is the project root.
    """
    return LocalBackend(stack, path=f"../../../terraform.{name}.tfstate")
