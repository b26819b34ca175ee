"""The drawing of a network as the page's SVG shows it: the service's layout (unit square)
scaled to the picture, a colour per country for members, media as small squares, key players
larger and outlined. Presentation only: what is drawn comes from ``network_views``."""

from __future__ import annotations

from typing import Any

WIDTH, HEIGHT, MARGIN = 900, 560, 28
#: Colours of countries, in the order of the countries' member counts.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
)
OTHER = "#8d99a3"


def picture(view: dict[str, Any]) -> dict[str, Any]:
    """The nodes, edges and legend of ``network_views.network_graph``'s drawing in pixels."""
    countries = [c["country"] for c in view["countries"]]
    colour = {code: PALETTE[i] for i, code in enumerate(countries[: len(PALETTE)])}
    nodes = []
    for node in view["graph"]["nodes"]:
        member = node["kind"] == "account"
        nodes.append(
            {
                **node,
                "px": round(MARGIN + node["x"] * (WIDTH - 2 * MARGIN), 1),
                "py": round(MARGIN + node["y"] * (HEIGHT - 2 * MARGIN), 1),
                "member": member,
                "r": (11 if node["key_player"] else 7) if member else 3.5,
                "fill": colour.get(node["country"] or "unknown", OTHER) if member else "",
            }
        )
    edges = [
        {
            "x1": nodes[e["source"]]["px"],
            "y1": nodes[e["source"]]["py"],
            "x2": nodes[e["target"]]["px"],
            "y2": nodes[e["target"]]["py"],
        }
        for e in view["graph"]["edges"]
    ]
    legend = [(code, colour.get(code, OTHER)) for code in countries]
    return {"width": WIDTH, "height": HEIGHT, "nodes": nodes, "edges": edges, "legend": legend}
