"""Computational graphs drawn for the printed page, and a check that their labels touch nothing.

A graph is a dict of nodes and a list of edges, placed in inches as they print in the PDF:
    nodes = {"x": Node(0.3, 0.8, "$x$", "input"), "h": Node(1.6, 0.8, "$h = Wx$"), ...}
    edges = [Edge("x", "h"), Edge("W", "h", grad=r"$\\bar h\\,x^{\\mathsf{T}}$"), ...]
Node kinds set the colour: "input" (data and parameters), "op" (intermediate values), "output"
(the loss). Boxes fit their labels. An edge's grad, when given, is written in red beside the
arrow: the gradient that the backward pass sends along it, placed where it touches no box, arrow
or label.

layout_clearances measures a drawn graph as it prints (printed points), so a test can hold every
graph to MIN_PRINTED_PT and MIN_CLEARANCE_PT; the graphs of Problems 1 and 2 are defined at the
end.
"""
from dataclasses import dataclass
from itertools import combinations, pairwise, product

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

# nbconvert's LaTeX template (templates/latex/base.tex.j2) sets 11pt article on US letter
# (8.5 in) with 1-inch margins and scales every figure down to at most 0.9\linewidth.
PRINT_WIDTH_IN = 0.9 * (8.5 - 2 * 1.0)
MIN_PRINTED_PT = 9.0      # the smallest font size that reads comfortably on paper
MIN_CLEARANCE_PT = 2.0    # printed gap from a label to any other part: 0.7 mm, visibly apart

NODE_COLOURS = {"input": "#dbe9f6", "op": "#fdf2d0", "output": "#f8d7d3"}
GRAD_COLOUR = "#b22222"
NODE_PT, GRAD_PT, TITLE_PT = 10.5, 10.0, 10.5
BOX_PAD_IN = (0.08, 0.06)     # label to box edge, horizontally and vertically
MIN_BOX_WIDTH_IN = 0.42
BOX_LW, ARROW_LW = 0.8, 1.1   # points
LABEL_GAP_PT = 3.0            # a gradient label sits this far from its own arrow
MARGIN_IN = 0.02   # the notebook adds savefig.pad_inches around the figure
# Graphs are drawn at their printed size (fonts in points are the printed ones); a higher dpi
# than the notebooks' other figures keeps them legible on screen.
SCREEN_DPI = 120


@dataclass
class Node:
    x: float          # centre, inches from the left of the drawing
    y: float          # centre, inches from the bottom
    label: str        # matplotlib mathtext
    kind: str = "op"


@dataclass
class Edge:
    src: str
    dst: str
    grad: str = ""
    side: str = ""    # where grad goes first: "above", "below", "left" or "right" of the arrow;
                      # "" puts it below a flat arrow and right of a steep one


SIDES = {"above": (0, 1), "below": (0, -1), "left": (-1, 0), "right": (1, 0)}


def draw_graph(nodes, edges, title):
    """Draw a computational graph at its printed size and return its axes.

    nodes: dict name -> Node (centre in inches, mathtext label, kind).
    edges: list of Edge (from node, to node, optional gradient label and its preferred side).
    title: the figure's title.
    The figure is as large as its content; every part carries a gid ("node:x", "label:x",
    "edge:x->h", "grad:x->h", "title") that layout_clearances reads.
    """
    _check_graph(nodes, edges)
    fig = plt.figure(dpi=SCREEN_DPI)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.axis("off")
    renderer = fig.canvas.get_renderer()

    labels = {name: ax.text(n.x, n.y, n.label, ha="center", va="center", fontsize=NODE_PT,
                            math_fontfamily="cm", zorder=3, gid=f"label:{name}")
              for name, n in nodes.items()}
    sizes = {name: _size_in(t, renderer) for name, t in labels.items()}
    height = max(h for _, h in sizes.values()) + 2 * BOX_PAD_IN[1]   # one height for every box
    boxes = {}
    for name, n in nodes.items():
        width = max(sizes[name][0] + 2 * BOX_PAD_IN[0], MIN_BOX_WIDTH_IN)
        boxes[name] = ax.add_patch(FancyBboxPatch(
            (n.x - width / 2, n.y - height / 2), width, height,
            boxstyle="round,pad=0,rounding_size=0.04", facecolor=NODE_COLOURS[n.kind],
            edgecolor="0.3", lw=BOX_LW, zorder=2, gid=f"node:{name}"))
    # From here on, one data unit is one inch: what follows measures in data units.
    _fit_figure(ax, [_extent_in(b, ax, renderer) for b in boxes.values()])

    arrows = [ax.add_patch(FancyArrowPatch(
        (nodes[e.src].x, nodes[e.src].y), (nodes[e.dst].x, nodes[e.dst].y), arrowstyle="-|>",
        mutation_scale=11, color="0.25", lw=ARROW_LW, patchA=boxes[e.src], patchB=boxes[e.dst],
        shrinkA=2, shrinkB=2, zorder=1, gid=f"edge:{e.src}->{e.dst}"))
        for e in edges]
    rects = [_extent_in(b, ax, renderer, BOX_LW) for b in boxes.values()]
    rects += [_extent_in(t, ax, renderer) for t in labels.values()]
    pieces = [_sample(a.get_path(), step=0.002) for a in arrows]   # data units are inches
    lines = [np.concatenate(p) for p in pieces]
    line_pad = ARROW_LW / 2 / 72
    for edge, (shaft, *_) in zip(edges, pieces, strict=True):
        if edge.grad:
            text = ax.text(0, 0, edge.grad, ha="center", va="center", color=GRAD_COLOUR,
                           fontsize=GRAD_PT, math_fontfamily="cm", zorder=4,
                           gid=f"grad:{edge.src}->{edge.dst}")
            size = _size_in(text, renderer)
            text.set_position(_place_label(size, shaft[0], shaft[-1], edge.side, rects, lines,
                                           line_pad))
            rects.append(_extent_in(text, ax, renderer))

    content = rects + [_extent_in(a, ax, renderer) for a in arrows]
    left, right = min(r[0] for r in content), max(r[2] for r in content)
    top = max(r[3] for r in content)
    heading = ax.text((left + right) / 2, top + 0.08, title, ha="center", va="bottom",
                      fontsize=TITLE_PT, math_fontfamily="cm", gid="title")
    _fit_figure(ax, content + [_extent_in(heading, ax, renderer)])
    return ax


def _check_graph(nodes, edges):
    if not nodes:
        raise ValueError("the graph has no nodes; give at least one Node")
    unknown = sorted(({e.src for e in edges} | {e.dst for e in edges}) - nodes.keys())
    if unknown:
        raise ValueError(f"edges name nodes that are not in the graph: {unknown}; "
                         "add them to nodes")
    kinds = sorted({n.kind for n in nodes.values()} - NODE_COLOURS.keys())
    if kinds:
        raise ValueError(f"unknown node kind(s) {kinds}; use one of {sorted(NODE_COLOURS)}")
    # An arrow needs two different points to run between.
    loops = sorted(f"{e.src}->{e.dst}" for e in edges
                   if (nodes[e.src].x, nodes[e.src].y) == (nodes[e.dst].x, nodes[e.dst].y))
    if loops:
        raise ValueError(f"edge(s) {loops} join a node to itself or to a node at the same "
                         "place; an edge needs two nodes at different (x, y)")
    pairs = [(e.src, e.dst) for e in edges]
    twice = sorted({f"{a}->{b}" for a, b in pairs if pairs.count((a, b)) > 1})
    if twice:
        raise ValueError(f"edge(s) {twice} given more than once; give each edge once")
    sides = sorted({e.side for e in edges if e.side} - SIDES.keys())
    if sides:
        raise ValueError(f"unknown label side(s) {sides}; use one of {sorted(SIDES)} "
                         "or '' (automatic)")


def _size_in(text, renderer):
    """Width and height of a text's box in inches (independent of where it stands)."""
    box = text.get_window_extent(renderer)
    return box.width / text.figure.dpi, box.height / text.figure.dpi


def _extent_in(artist, ax, renderer, lw=0.0):
    """(x0, y0, x1, y1) of an artist in data units (inches), widened by half a line width lw
    (points)."""
    (x0, y0), (x1, y1) = ax.transData.inverted().transform(
        artist.get_window_extent(renderer).get_points())
    pad = lw / 2 / 72
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


def _fit_figure(ax, rects):
    """Size the figure to the rectangles (data units = inches) plus a margin; the scale
    stays 1 in/unit."""
    x0, y0 = min(r[0] for r in rects) - MARGIN_IN, min(r[1] for r in rects) - MARGIN_IN
    x1, y1 = max(r[2] for r in rects) + MARGIN_IN, max(r[3] for r in rects) + MARGIN_IN
    ax.figure.set_size_inches(x1 - x0, y1 - y0)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


def _place_label(size, start, end, side, rects, lines, line_pad):
    """Centre of a label of size (w, h) beside the straight shaft start -> end of its arrow
    (inches).

    Tries points along the shaft from its middle outwards, on the preferred side first, each
    time LABEL_GAP_PT from the shaft; takes the first spot that keeps LABEL_GAP_PT from every
    other rectangle and arrow too, else the spot with the largest clearance.
    """
    w, h = size
    chord = end - start
    normal = np.array([-chord[1], chord[0]]) / np.hypot(*chord)
    steep = abs(chord[1]) > abs(chord[0])
    preferred = np.array(SIDES[side or ("right" if steep else "below")], dtype=float)
    sides = (normal, -normal) if normal @ preferred >= 0 else (-normal, normal)
    gap = LABEL_GAP_PT / 72 + line_pad
    need = LABEL_GAP_PT / 72   # from everything else too, a margin above MIN_CLEARANCE_PT
    best, best_clearance = None, -np.inf
    for fraction, n, extra in product((0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8), sides,
                                      (0, 1.5 / 72, 3 / 72)):
        # Offset by the rectangle's half-extent along n, so that its nearest edge is `gap` from
        # the shaft; a little more (`extra`) where the arrowhead is wider than the line.
        centre = start + fraction * chord + n * (gap + extra + w / 2 * abs(n[0])
                                                 + h / 2 * abs(n[1]))
        rect = (centre[0] - w / 2, centre[1] - h / 2, centre[0] + w / 2, centre[1] + h / 2)
        clearance = min([_rect_gap(rect, r) for r in rects]
                        + [_points_rect_gap(other, rect) - line_pad for other in lines])
        if clearance >= need:
            return tuple(centre)
        if clearance > best_clearance:
            best, best_clearance = tuple(centre), clearance
    return best


def _sample(path, step):
    """Points along each piece of a path (an arrow's shaft, then its head), at most `step`
    apart.

    Returns a list of (P, 2) arrays, one per subpath; Bezier segments are evaluated exactly.
    """
    starts = [i for i, code in enumerate(path.codes) if code == Path.MOVETO] + [len(path.codes)]
    pieces = []
    for a, b in pairwise(starts):
        points = []
        for segment, _ in Path(path.vertices[a:b], path.codes[a:b]).iter_bezier():
            # >= the curve's length
            length = np.hypot(*np.diff(segment.control_points, axis=0).T).sum()
            points.append(segment(np.linspace(0, 1, int(np.ceil(length / step)) + 2)))
        pieces.append(np.concatenate(points))
    return pieces


def _rect_gap(a, b):
    """Distance between two rectangles (x0, y0, x1, y1); 0 when they touch or overlap."""
    return float(np.hypot(max(a[0] - b[2], b[0] - a[2], 0), max(a[1] - b[3], b[1] - a[3], 0)))


def _points_rect_gap(points, r):
    """Smallest distance from any of the points (P, 2) to the rectangle r; 0 for a point
    inside it."""
    dx = np.maximum(np.maximum(r[0] - points[:, 0], points[:, 0] - r[2]), 0)
    dy = np.maximum(np.maximum(r[1] - points[:, 1], points[:, 1] - r[3]), 0)
    return float(np.hypot(dx, dy).min())


def _points_gap(p, q):
    """Smallest distance between two point sets (P, 2) and (Q, 2)."""
    return float(np.sqrt(((p[:, None, :] - q[None, :, :]) ** 2).sum(-1)).min())


def printed_scale(fig):
    """Printed size / drawn size of fig in the PDF export.

    The notebook shows a figure cropped to its tight bounding box plus savefig.pad_inches on
    each side, and LaTeX scales an image wider than PRINT_WIDTH_IN down to that width (never
    up).
    """
    width = (fig.get_tightbbox(fig.canvas.get_renderer()).width
             + 2 * plt.rcParams["savefig.pad_inches"])
    return min(1.0, PRINT_WIDTH_IN / width)


def printed_font_sizes(ax):
    """gid -> printed font size in points, for every text of a graph drawn by draw_graph."""
    scale = printed_scale(ax.figure)
    return {t.get_gid(): t.get_fontsize() * scale for t in ax.texts}


def layout_clearances(ax):
    """Printed gaps, in points, between the parts of a graph drawn by draw_graph; smallest
    first.

    Returns a list of (gap, part, other part), parts named by gid; 0 means touching or
    overlapping.
    Measured as they print: every text (node label, gradient label, title) against every other
    text, box and arrow (an arrow by its drawn path and line width, head included, not by its
    bounding box); a node label against the inside of its own box; boxes against boxes; arrows
    against arrows; an arrow against every box but the two it joins.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    px = fig.dpi / 72                            # points -> display pixels
    to_pt = printed_scale(fig) / px              # display pixels -> printed points

    def box(artist, lw=0.0):
        """Window extent widened (lw > 0) or narrowed (lw < 0) by half a line width."""
        (x0, y0), (x1, y1) = artist.get_window_extent(renderer).get_points()
        pad = lw * px / 2
        return x0 - pad, y0 - pad, x1 + pad, y1 + pad

    texts = {t.get_gid(): box(t) for t in ax.texts}
    frames = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    boxes = {p.get_gid(): box(p, p.get_linewidth()) for p in frames}
    insides = {p.get_gid(): box(p, -p.get_linewidth()) for p in frames}
    arrows = {
        p.get_gid(): (np.concatenate(_sample(p.get_transform().transform_path(p.get_path()),
                                             0.25 * px)),
                      p.get_linewidth() * px / 2)
        for p in ax.patches if isinstance(p, FancyArrowPatch)}

    gaps = []
    for (a, ra), (b, rb) in combinations(list(texts.items()) + list(boxes.items()), 2):
        own_box = a.startswith("label:") and b == "node:" + a.removeprefix("label:")
        if own_box:
            inside = insides[b]
            gaps.append((max(min(ra[0] - inside[0], ra[1] - inside[1], inside[2] - ra[2],
                                 inside[3] - ra[3]), 0),
                         a, "the inside of " + b))
        else:
            gaps.append((_rect_gap(ra, rb), a, b))
    for a, (line, half) in arrows.items():
        joins = {"node:" + name for name in a.removeprefix("edge:").split("->")}
        gaps += [(max(_points_rect_gap(line, r) - half, 0), a, b)
                 for b, r in list(texts.items()) + list(boxes.items()) if b not in joins]
    for (a, (la, ha)), (b, (lb, hb)) in combinations(arrows.items(), 2):
        gaps.append((max(_points_gap(la, lb) - ha - hb, 0), a, b))
    return sorted((gap * to_pt, a, b) for gap, a, b in gaps)


def autoencoder_graph():
    """Problem 1(b): nodes, edges and title of L = 1/2 ||W^T W x - x||^2, for draw_graph."""
    nodes = {
        "x": Node(0.25, 1.5, "$x$", "input"),
        "W": Node(0.25, 0.2, "$W$", "input"),
        "h": Node(1.45, 0.85, "$h = Wx$"),
        "xhat": Node(2.7, 0.2, r"$\hat x = W^{\mathsf{T}} h$"),
        "r": Node(3.9, 1.5, r"$r = \hat x - x$"),
        "L": Node(5.15, 1.5, r"$L = \|r\|^2/2$", "output"),
    }
    edges = [
        Edge("x", "h"),
        Edge("W", "h", grad=r"$\bar h\,x^{\mathsf{T}}$"),
        Edge("W", "xhat", grad=r"$h\,r^{\mathsf{T}}$"),
        Edge("h", "xhat", grad=r"$\bar h = W r$", side="above"),
        Edge("xhat", "r", grad=r"$\bar{\hat x} = r$"),
        Edge("x", "r"),
        Edge("r", "L", grad=r"$\bar r = r$"),
    ]
    return nodes, edges, "Linear autoencoder: forward values (boxes), backward gradients (red)"


def _gplvm_front():
    """The part that L1 and L2 share: X -> B = X^T -> A = XB -> K."""
    nodes = {
        "X": Node(0.3, 1.9, "$X$", "input"),
        "B": Node(0.3, 0.7, r"$B = X^{\mathsf{T}}$"),
        "A": Node(1.45, 1.3, "$A = XB$"),
        "K": Node(2.95, 1.3, r"$K = \alpha A + \beta^{-1}I$"),
    }
    edges = [
        Edge("X", "B", grad=r"$\bar B^{\mathsf{T}}$"),
        Edge("X", "A", grad=r"$\bar A B^{\mathsf{T}}$", side="above"),
        Edge("B", "A", grad=r"$\bar B = X^{\mathsf{T}}\bar A$"),
        Edge("A", "K", grad=r"$\bar A = \alpha\bar K$"),
    ]
    return nodes, edges


def gplvm_L1_graph():
    """Problem 2(a): nodes, edges and title of L1 = -(D/2) log|alpha X X^T + beta^{-1} I|, for
    draw_graph."""
    nodes, edges = _gplvm_front()
    nodes |= {
        "l": Node(5.1, 1.3, r"$\ell = \log|K|$"),
        "L1": Node(5.1, 0.3, r"$L_1 = -D\ell/2$", "output"),
    }
    edges += [
        Edge("K", "l", grad=r"$\bar K = -(D/2)\,K^{-1}$"),
        Edge("l", "L1", grad=r"$\bar\ell = -D/2$", side="left"),
    ]
    return nodes, edges, r"$L_1$: forward values (boxes), backward gradients (red)"


def gplvm_L2_graph():
    """Problem 2(c): nodes, edges and title of L2 = -1/2 tr(K^{-1} Y Y^T), for draw_graph.

    The second row runs from right to left, as a snake.
    """
    nodes, edges = _gplvm_front()
    nodes |= {
        "M": Node(5.1, 1.3, r"$M = K^{-1}$"),
        "S": Node(5.1, 0.0, r"$S = YY^{\mathsf{T}}$", "input"),
        "P": Node(3.85, 0.0, "$P = MS$"),
        "t": Node(2.45, 0.0, r"$t = \mathrm{tr}(P)$"),
        "L2": Node(1.05, 0.0, r"$L_2 = -t/2$", "output"),
    }
    edges += [
        Edge("K", "M", grad=r"$\bar K = -M^{\mathsf{T}}\bar M M^{\mathsf{T}}$"),
        Edge("M", "P", grad=r"$\bar M = \bar P S^{\mathsf{T}}$"),
        Edge("S", "P"),
        Edge("P", "t", grad=r"$\bar P = \bar t\, I$"),
        Edge("t", "L2", grad=r"$\bar t = -1/2$"),
    ]
    return nodes, edges, r"$L_2$: forward values (boxes), backward gradients (red)"
