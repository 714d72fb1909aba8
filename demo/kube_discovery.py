"""API discovery documents as a real API server writes them, for kubectl and dynamic clients.

kmock 0.8 answers ``/api/v1`` with ``groupVersion: "/v1"`` (it joins an empty core group
with a slash), and gives subresources their parent's verbs and no singular name. kubectl
then finds no core resource at all ("the server doesn't have a resource type pods").
These reactions serve ``/api/v1`` and each ``/apis/GROUP/VERSION`` from the world's own
resource declarations instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# What a subresource is, as the API server describes it: (group, version, kind, verbs).
# An empty kind means the parent's kind; empty group/version mean the parent's.
SUBRESOURCES: dict[str, tuple[str, str, str, list[str]]] = {
    "log": ("", "", "", ["get"]),
    "status": ("", "", "", ["get", "patch", "update"]),
    "scale": ("autoscaling", "v1", "Scale", ["get", "patch", "update"]),
}


def split_key(key: str) -> tuple[str, str, str]:
    """``group/version/plural`` (``version/plural`` for the core group) -> its three parts."""
    group_version, _, plural = key.rpartition("/")
    group, _, version = group_version.rpartition("/")
    return group, version, plural


def group_version_name(group: str, version: str) -> str:
    """``v1`` for the core group, ``apps/v1`` for the others (the ``apiVersion`` form)."""
    return f"{group}/{version}" if group else version


def discovery_path(group: str, version: str) -> str:
    """Where a group version's resource list is served."""
    return f"/apis/{group}/{version}" if group else f"/api/{version}"


def resource_list(
    resources: Mapping[str, Mapping[str, Any]], group: str, version: str
) -> dict[str, Any]:
    """The ``APIResourceList`` of one group version: its resources, then their subresources."""
    entries: list[dict[str, Any]] = []
    for key, info in resources.items():
        if split_key(key)[:2] != (group, version):
            continue
        plural = split_key(key)[2]
        entry: dict[str, Any] = {
            "name": plural,
            "singularName": info.get("singular") or plural.removesuffix("s"),
            "namespaced": bool(info.get("namespaced")),
            "kind": info["kind"],
            "verbs": sorted(info.get("verbs", [])),
        }
        if info.get("shortnames"):
            entry["shortNames"] = list(info["shortnames"])
        if info.get("categories"):
            entry["categories"] = list(info["categories"])
        entries.append(entry)
        for sub in info.get("subresources", []):
            sub_group, sub_version, sub_kind, verbs = SUBRESOURCES[sub]
            described: dict[str, Any] = {
                "name": f"{plural}/{sub}",
                "singularName": "",
                "namespaced": entry["namespaced"],
                "kind": sub_kind or info["kind"],
                "verbs": verbs,
            }
            if sub_group:
                described.update(group=sub_group, version=sub_version)
            entries.append(described)
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version_name(group, version),
        "resources": entries,
    }


def install_discovery(emulator: Any, resources: Mapping[str, Mapping[str, Any]]) -> None:
    """Serve ``/api/v1`` and every ``/apis/GROUP/VERSION`` of ``resources`` (fixed documents)."""
    served = dict.fromkeys(split_key(key)[:2] for key in resources)
    for group, version in served:
        document = resource_list(resources, group, version)
        emulator[f"get {discovery_path(group, version)}"] << document
