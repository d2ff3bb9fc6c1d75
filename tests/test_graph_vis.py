import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from cs231n.graph_vis import Edge, Node, draw_graph  # noqa: E402


def test_draws_every_node_label_and_gradient():
    nodes = {"x": Node(0, 0, "$x$", "input"), "y": Node(2, 0, "$y = 2x$"), "L": Node(4, 0, "$L$", "output", width=2)}
    edges = [Edge("x", "y", grad="$2\\bar y$"), Edge("y", "L", grad="$\\bar y$", rad=0.2)]
    ax = draw_graph(nodes, edges, "a graph")
    texts = [t.get_text() for t in ax.texts]
    assert {"$x$", "$y = 2x$", "$L$", "$2\\bar y$", "$\\bar y$"} <= set(texts)
    assert ax.get_title() == "a graph" and len(ax.patches) == 3
    plt.close("all")


def test_edge_to_an_unknown_node_is_refused():
    with pytest.raises(ValueError, match=r"\['z'\]"):
        draw_graph({"x": Node(0, 0, "x")}, [Edge("x", "z")], "t")
