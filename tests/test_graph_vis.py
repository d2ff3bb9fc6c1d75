"""The graph drawer: every graph of Problems 1 and 2 reads cleanly in print, and the checker that says so."""
import inspect
import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from IPython.core.pylabtools import print_figure  # noqa: E402
from jupyter_core.paths import jupyter_path  # noqa: E402

from cs231n import graph_vis  # noqa: E402
from cs231n.graph_vis import Edge, Node, draw_graph, layout_clearances, printed_font_sizes  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
GRAPHS = {f.__name__: f for f in (graph_vis.autoencoder_graph, graph_vis.gplvm_L1_graph, graph_vis.gplvm_L2_graph)}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def texts(ax):
    return {t.get_gid(): t for t in ax.texts}


@pytest.mark.parametrize("name", GRAPHS)
def test_graph_reads_cleanly_in_print(name):
    nodes, edges, title = GRAPHS[name]()
    ax = draw_graph(nodes, edges, title)
    drawn = texts(ax)
    assert {f"label:{n}" for n in nodes} | {f"grad:{e.src}->{e.dst}" for e in edges if e.grad} | {"title"} == set(drawn)
    assert [drawn[f"label:{n}"].get_text() for n in nodes] == [n.label for n in nodes.values()]

    fonts = printed_font_sizes(ax)
    assert min(fonts.values()) >= graph_vis.MIN_PRINTED_PT, sorted(fonts.items(), key=lambda kv: kv[1])[:3]
    gaps = layout_clearances(ax)
    n_texts, n_boxes, n_arrows = len(drawn), len(nodes), len(edges)
    # Every pair of texts and boxes, every arrow against every text and box but its two ends, every
    # pair of arrows: nothing is left out of the check.
    assert len(gaps) == (n_texts + n_boxes) * (n_texts + n_boxes - 1) // 2 + n_arrows * (n_texts + n_boxes - 2) \
        + n_arrows * (n_arrows - 1) // 2
    assert gaps[0][0] >= graph_vis.MIN_CLEARANCE_PT, gaps[:5]


@pytest.mark.parametrize("name", GRAPHS)
def test_gradient_labels_stand_next_to_their_own_arrow(name):
    ax = draw_graph(*GRAPHS[name]())
    nearest = {}
    for gap, a, b in layout_clearances(ax):
        if a.startswith("edge:") and b.startswith("grad:"):
            a, b = b, a
        if a.startswith("grad:") and b.startswith("edge:"):
            nearest.setdefault(a, (gap, b))   # the list is sorted: the first arrow met is the nearest
    for grad, (gap, edge) in nearest.items():
        assert edge == "edge:" + grad.removeprefix("grad:"), (grad, edge)
        assert gap <= 2 * graph_vis.LABEL_GAP_PT, (grad, gap)


def test_every_graph_in_the_notebooks_is_one_of_the_tested_graphs():
    drawn = []
    for notebook in sorted((REPO / "notebooks").glob("*.ipynb")):
        for cell in json.loads(notebook.read_text())["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code" and "draw_graph(" in source:
                calls = re.findall(r"draw_graph\((.*)\)", source)
                assert all(re.fullmatch(r"\*(\w+)\(\)", call) for call in calls), (notebook.name, calls)
                drawn += [call[1:-2] for call in calls]
    assert sorted(drawn) == sorted(GRAPHS)


def test_print_geometry_is_the_one_nbconvert_uses():
    """PRINT_WIDTH_IN and printed_scale follow nbconvert's LaTeX template and IPython's inline figures."""
    template = next(Path(d) / "base.tex.j2" for d in jupyter_path("nbconvert", "templates", "latex")
                    if (Path(d) / "base.tex.j2").is_file()).read_text()
    assert re.search(r"\\documentclass\[11pt\]\{article\}", template)   # no paper option: US letter
    assert "paper" not in re.search(r"\\geometry\{([^}]*)\}", template).group(1)
    left, right = (float(re.search(side + r"margin=([\d.]+)in", template).group(1)) for side in "lr")
    factor = float(re.search(r"max size=\{([\d.]+)\\linewidth\}", template).group(1))
    assert graph_vis.PRINT_WIDTH_IN == pytest.approx(factor * (8.5 - left - right))
    assert inspect.signature(print_figure).parameters["bbox_inches"].default == "tight"
    # The submission's own templates extend nbconvert's and must keep its page and figure geometry.
    overrides = re.compile(r"block (margins|docclass)|\\geometry|a4paper|letterpaper|paperwidth|max size")
    for own in (REPO / "cs231n" / "export_templates").glob("*.j2"):
        assert not overrides.search(own.read_text()), own.name


# The checker itself: it must flag what touches and pass what does not.

def two_nodes(**b):
    return {"a": Node(0.3, 0.3, "$a$"), "b": Node(b.get("x", 2.3), b.get("y", 0.3), "$b$")}


def gap_between(ax, a, b):
    return next(gap for gap, p, q in layout_clearances(ax) if {p, q} == {a, b})


def test_checker_flags_overlapping_boxes():
    ax = draw_graph(two_nodes(x=0.5), [], "t")
    assert gap_between(ax, "node:a", "node:b") == 0
    assert layout_clearances(ax)[0][0] == 0


def test_checker_flags_an_arrow_through_a_box():
    nodes = two_nodes() | {"c": Node(4.3, 0.3, "$c$")}
    ax = draw_graph(nodes, [Edge("a", "c")], "t")
    assert gap_between(ax, "edge:a->c", "node:b") == 0
    clean = draw_graph(nodes | {"b": Node(2.3, 1.3, "$b$")}, [Edge("a", "c")], "t")
    assert gap_between(clean, "edge:a->c", "node:b") > graph_vis.MIN_CLEARANCE_PT


def test_checker_flags_a_label_on_an_arrow_and_on_a_label():
    ax = draw_graph(two_nodes(), [Edge("a", "b", grad="$g$")], "t")
    assert layout_clearances(ax)[0][0] >= graph_vis.MIN_CLEARANCE_PT
    ax.text(1.3, 0.3, "$on$", fontsize=10, gid="grad:stray")   # on the arrow, at its middle
    assert gap_between(ax, "grad:stray", "edge:a->b") == 0
    g = texts(ax)["grad:a->b"].get_position()
    ax.text(*g, "$over$", fontsize=10, gid="grad:over")          # on the gradient label
    assert gap_between(ax, "grad:over", "grad:a->b") == 0


def test_checker_measures_a_diagonal_arrow_by_its_line_not_its_bounding_box():
    ax = draw_graph({"a": Node(0.3, 0.3, "$a$"), "b": Node(2.3, 2.3, "$b$")}, [Edge("a", "b")], "t")
    assert graph_vis.printed_scale(ax.figure) == 1   # figure narrower than the page: gaps print as drawn
    # A label below the diagonal y = x, inside the arrow's bounding box but off its line.
    label = ax.text(1.6, 0.9, "$beside$", fontsize=10, ha="center", va="center", gid="grad:beside")
    arrow = next(p for p in ax.patches if p.get_gid() == "edge:a->b")
    renderer = ax.figure.canvas.get_renderer()
    inv = ax.transData.inverted()
    (x0, y0), (x1, y1) = inv.transform(label.get_window_extent(renderer).get_points())
    (ax0, ay0), (ax1, ay1) = inv.transform(arrow.get_window_extent(renderer).get_points())
    assert ax0 < x0 and x1 < ax1 and ay0 < y0 and y1 < ay1
    # Independent computation: the label's upper-left corner is its point nearest the line y = x;
    # a point (x, y) below that line is (x - y) / sqrt(2) inches from it; less half the line width.
    expected = (x0 - y1) / np.sqrt(2) * 72 - graph_vis.ARROW_LW / 2
    assert expected > graph_vis.MIN_CLEARANCE_PT
    assert gap_between(ax, "grad:beside", "edge:a->b") == pytest.approx(expected, abs=0.2)


def test_checker_flags_a_node_label_on_its_own_box_edge():
    ax = draw_graph(two_nodes(), [], "t")
    assert gap_between(ax, "label:a", "the inside of node:a") >= graph_vis.MIN_CLEARANCE_PT
    texts(ax)["label:a"].set_position((0.3, 0.42))   # moved up onto the box's top edge
    assert gap_between(ax, "label:a", "the inside of node:a") == 0


def test_fonts_of_a_graph_wider_than_the_page_print_smaller():
    ax = draw_graph(two_nodes(x=9.0), [Edge("a", "b", grad="$g$")], "t")
    width = ax.figure.get_size_inches()[0] + 2 * plt.rcParams["savefig.pad_inches"]
    fonts = printed_font_sizes(ax)
    assert fonts["grad:a->b"] == pytest.approx(graph_vis.GRAD_PT * graph_vis.PRINT_WIDTH_IN / width)
    assert min(fonts.values()) < graph_vis.MIN_PRINTED_PT


@pytest.mark.parametrize("nodes, edges, message", [
    ({}, [], "the graph has no nodes"),
    ({"x": Node(0, 0, "x")}, [Edge("x", "z")], r"not in the graph: \['z'\]"),
    ({"x": Node(0, 0, "x", "param")}, [], r"unknown node kind\(s\) \['param'\]; use one of"),
    ({"x": Node(0, 0, "x"), "y": Node(1, 0, "y")}, [Edge("x", "y", side="under")], r"\['under'\]; use one of"),
    ({"x": Node(0, 0, "x"), "y": Node(1, 0, "y")}, [Edge("x", "y"), Edge("x", "y")], r"\['x->y'\] given more"),
    ({"x": Node(0, 0, "x")}, [Edge("x", "x", grad="$g$")], r"\['x->x'\] join a node to itself or to a node at the"),
    ({"x": Node(0, 0, "x"), "y": Node(0, 0, "y")}, [Edge("x", "y")], r"\['x->y'\] join .* two nodes at different"),
])
def test_bad_graphs_are_refused(nodes, edges, message):
    with pytest.raises(ValueError, match=message):
        draw_graph(nodes, edges, "t")
