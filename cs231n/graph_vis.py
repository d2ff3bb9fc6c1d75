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
        xs, ys = [n.x for n in nodes.values()], [n.y for n in nodes.values()]
        width, height = max(xs) - min(xs) + 2 * box_width, max(ys) - min(ys) + 3 * box_height
        _, ax = plt.subplots(figsize=(min(1.9 * width, 12), max(1.6 * height, 2.2)))
    boxes = {}
    for name, node in nodes.items():
        width = node.width or box_width
        boxes[name] = ax.add_patch(FancyBboxPatch(
            (node.x - width / 2, node.y - box_height / 2), width, box_height,
            boxstyle="round,pad=0.05", facecolor=NODE_COLOURS[node.kind], edgecolor="0.3", zorder=2))
        ax.text(node.x, node.y, node.label, ha="center", va="center", fontsize=10.5, zorder=3)
    for edge in edges:
        a, b = nodes[edge.src], nodes[edge.dst]
        ax.annotate("", xy=(b.x, b.y), xytext=(a.x, a.y),
                    arrowprops=dict(arrowstyle="-|>", color="0.25", lw=1.3, mutation_scale=14,
                                    patchA=boxes[edge.src], patchB=boxes[edge.dst], shrinkA=2, shrinkB=2,
                                    connectionstyle=f"arc3,rad={edge.rad}"), zorder=1)
        if edge.grad:
            # Put the label at the middle of the (possibly curved) arrow, on the side it bends to.
            mx, my = (a.x + b.x) / 2, (a.y + b.y) / 2
            dx, dy = b.x - a.x, b.y - a.y
            mx, my = mx + edge.rad * dy / 2, my - edge.rad * dx / 2
            ax.text(mx, my - 0.2, edge.grad, ha="center", va="top", color="#b22222", fontsize=9.5,
                    bbox=dict(facecolor="white", edgecolor="none", alpha=0.85, pad=1), zorder=4)
    xs, ys = [n.x for n in nodes.values()], [n.y for n in nodes.values()]
    ax.set_xlim(min(xs) - box_width, max(xs) + box_width)
    ax.set_ylim(min(ys) - 1.5 * box_height - 0.3, max(ys) + box_height)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title)
    return ax
