"""The BLAS numpy computes its matrix products with, and what it means for reproducing a notebook.

numpy's wheels ship OpenBLAS built for every x86 generation at once (DYNAMIC_ARCH): at start-up it
picks the kernels of the CPU it finds, Haswell's on an AVX2 CPU, SkylakeX's on one with AVX-512.
Kernels for different CPUs add a product's terms in different orders, so results differ in the last
bits, and a training run compounds that over thousands of steps into somewhat different weights and
accuracies. With the same kernels, a seeded run reproduces its numbers exactly.
"""
import os

import numpy as np
from threadpoolctl import threadpool_info


def numpy_openblas():
    """threadpoolctl's record of the OpenBLAS numpy itself uses, or None (numpy on another BLAS).

    Returns a dict with, among others, 'filepath', 'version', 'architecture' (whose kernels run)
    and 'num_threads', plus 'ilp64': whether its integers are 64-bit (numpy's build configuration).
    """
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    except (TypeError, KeyError):   # numpy before 2.0 has no mode="dicts"
        return None
    if "openblas" not in blas.get("name", ""):
        return None
    loaded = [i for i in threadpool_info() if i.get("internal_api") == "openblas"]
    # numpy's wheels ship it in numpy.libs/ or numpy/.dylibs/ next to the package; other builds
    # (conda) link a shared one, which must then be the only OpenBLAS loaded to be sure it is numpy's.
    inside_numpy = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy")
    ours = [i for i in loaded if i["filepath"].startswith(inside_numpy)]
    info = ours[0] if ours else loaded[0] if len(loaded) == 1 else None
    return info and {**info, "ilp64": "USE64BITINT" in blas.get("openblas configuration", "")}


def describe():
    """A sentence for a notebook's output: numpy's version, its BLAS and the kernels it runs here."""
    info = numpy_openblas()
    if info is None:
        return (f"Computed with numpy {np.__version__} on a BLAS other than its own OpenBLAS. Other "
                "BLAS libraries, and kernels for other CPUs, round matrix products differently in "
                "the last bits, so trained accuracies there come out slightly different.")
    return (f"Computed with numpy {np.__version__} and OpenBLAS {info['version']}, running the "
            f"{info['architecture']} kernels it picked for this CPU. Kernels for other CPUs round "
            "matrix products differently in the last bits, so trained accuracies there come out "
            "slightly different.")
