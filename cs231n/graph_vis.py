"""Computational graphs drawn with matplotlib: values flow left to right, gradients back.

A graph is a dict of nodes and a list of edges:
    nodes = {"x": Node(0, 0, "$x$", "input"), "h": Node(1, 0, "$h = Wx$"), ...}
    edges = [Edge("x", "h", grad=r"$\\partial L/\\partial h$"), ...]
Node kinds set the colour: "input" (data and parameters), "op" (intermediate values), "output"
(the loss). An edge's grad, when given, is written in red under the arrow: the gradient that the
backward pass sends along it.
"""
from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

NODE_COLOURS = {"input": "#dbe9f6", "op": "#fdf2d0", "output": "#f8d7d3"}


@dataclass
class Node:
    x: float
    y: float
    label: str
    kind: str = "op"
    width: float = None   # box width in data units; draw_graph's box_width when None


@dataclass
class Edge:
    src: str
    dst: str
    grad: str = ""
    rad: float = 0.0    # curvature, to keep two edges between the same columns apart


def draw_graph(nodes, edges, title, ax=None, box_width=1.3, box_height=0.5):
    """Draw a computational graph and return its axes.

    nodes: dict name -> Node (position in data units, LaTeX label, kind).
    edges: list of Edge (from node, to node, optional gradient label for the backward pass).
    title: the figure's title. ax: where to draw (a new figure when None).
    """
    unknown = {e.src for e in edges} | {e.dst for e in edges}
    unknown -= nodes.keys()
    if unknown:
        raise ValueError(f"edges name nodes that are not in the graph: {sorted(unknown)}")
    if ax is None:
        # A fixed 9-inch width: exported PDFs scale figures to the text width (about 6.3 in), so the
        # fonts below print at 70% of their size whatever the graph; lay long graphs out in rows.
        xs, ys = [n.x for n in nodes.values()], [n.y for n in nodes.values()]
        width, height = max(xs) - min(xs) + 2 * box_width, max(ys) - min(ys) + 3 * box_height
        _, ax = plt.subplots(figsize=(9, max(9 * height / width, 2.2)))
    xs, ys = [n.x for n in nodes.values()], [n.y for n in nodes.values()]
    ax.set_xlim(min(xs) - box_width, max(xs) + box_width)
    ax.set_ylim(min(ys) - 1.5 * box_height - 0.3, max(ys) + box_height)
    ax.set_aspect("equal")
    ax.apply_aspect()   # fix the data-to-pixel transform before measuring the labels
    renderer = ax.figure.canvas.get_renderer()
    to_data = ax.transData.inverted()
    boxes = {}
    for name, node in nodes.items():
        text = ax.text(node.x, node.y, node.label, ha="center", va="center", fontsize=13, zorder=3)
        (x0, _), (x1, _) = to_data.transform(text.get_window_extent(renderer).get_points())
        width = max(node.width or box_width, x1 - x0 + 0.3)   # the box fits its label
        boxes[name] = ax.add_patch(FancyBboxPatch(
            (node.x - width / 2, node.y - box_height / 2), width, box_height,
            boxstyle="round,pad=0.05", facecolor=NODE_COLOURS[node.kind], edgecolor="0.3", zorder=2))
    for edge in edges:
        a, b = nodes[edge.src], nodes[edge.dst]
        ax.annotate("", xy=(b.x, b.y), xytext=(a.x, a.y),
                    arrowprops=dict(arrowstyle="-|>", color="0.25", lw=1.3, mutation_scale=14,
                                    patchA=boxes[edge.src], patchB=boxes[edge.dst], shrinkA=2, shrinkB=2,
                                    connectionstyle=f"arc3,rad={edge.rad}"), zorder=1)
        if edge.grad:
            # Put the label at the middle of the (possibly curved) arrow: beside a steep arrow,
            # under a flat one, so that it never hides the line or its head.
            mx, my = (a.x + b.x) / 2, (a.y + b.y) / 2
            dx, dy = b.x - a.x, b.y - a.y
            mx, my = mx + edge.rad * dy / 2, my - edge.rad * dx / 2
            steep = abs(dy) > abs(dx)
            ax.text(mx + 0.12 if steep else mx, my if steep else my - 0.2, edge.grad,
                    ha="left" if steep else "center", va="center" if steep else "top", color="#b22222",
                    fontsize=12, bbox=dict(facecolor="white", edgecolor="none", alpha=0.85, pad=1), zorder=4)
    ax.axis("off")
    ax.set_title(title, fontsize=13)
    return ax
