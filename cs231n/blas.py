"""The BLAS numpy computes its matrix products with, and what it means for reproducing a
notebook.

numpy's wheels ship an OpenBLAS built with several sets of kernels (the hand-tuned inner loops
of its matrix products) for different x86 CPUs (DYNAMIC_ARCH). At start-up it picks the set for
the CPU it finds: Haswell's on EPYC 3, an AMD EPYC with AVX2, SkylakeX's on EPYC 2, one with
AVX-512 (the README's machines). OPENBLAS_CORETYPE, set before numpy is imported, overrides the
choice; a name OpenBLAS does not know is ignored. Different kernels add a product's terms in
different orders, and each addition rounds, so results differ in the last bits; a training run
compounds that over thousands of steps into different weights and accuracies. The number of
BLAS threads matters too: a run with one thread reproduced a two-thread run's default training
bit for bit, but not its runs on PCA inputs or with Adam. numpy's own vectorised loops (exp,
log, sums) also follow the CPU's instructions.
"""
import os

import numpy as np
from threadpoolctl import threadpool_info


def _numpy_blas_build():
    """np.show_config's entry for numpy's BLAS (name, version, 'openblas configuration', ...),
    or {} when numpy does not give one (older versions, whose show_config has no
    mode="dicts")."""
    try:
        return np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    except (TypeError, KeyError):
        return {}


def numpy_blas_name():
    """The name of the BLAS numpy was built with ('scipy-openblas', 'accelerate', 'mkl', ...),
    or None when numpy does not say."""
    return _numpy_blas_build().get("name")


def numpy_openblas():
    """threadpoolctl's record of the OpenBLAS numpy itself uses, or None.

    Returns a dict with, among others, 'filepath', 'version', 'architecture' (the kernel set it
    runs; None for builds that cannot tell) and 'num_threads', plus 'ilp64': whether its
    integers are 64-bit (numpy's build configuration). None when numpy is built with another
    BLAS, or when the OpenBLAS it uses cannot be told apart from others loaded in the process.
    """
    blas = _numpy_blas_build()
    if "openblas" not in (blas.get("name") or ""):
        return None
    loaded = [i for i in threadpool_info() if i.get("internal_api") == "openblas"]
    # numpy's wheels ship it in numpy.libs/ or numpy/.dylibs/ next to the package; other builds
    # (conda) link a shared one, which must then be the only OpenBLAS loaded to be sure it is
    # numpy's.
    # threadpoolctl gives resolved paths (os.path.realpath): resolve numpy's folder too.
    site = os.path.dirname(os.path.dirname(os.path.realpath(np.__file__)))
    inside_numpy = tuple(os.path.join(site, folder) + os.sep
                         for folder in ("numpy.libs", "numpy"))
    ours = [i for i in loaded if i["filepath"].startswith(inside_numpy)]
    if ours:
        info = ours[0]
    elif len(loaded) == 1:
        info = loaded[0]
    else:
        return None
    return {**info, "ilp64": "USE64BITINT" in blas.get("openblas configuration", "")}


def describe():
    """Two sentences for a notebook's output: numpy's version, its BLAS, the kernels and
    number of threads it runs here, and what other CPUs or thread counts would do to the
    results. Returns a str."""
    info = numpy_openblas()
    caveat = ("Other kernels, another number of BLAS threads, and numpy's own loops on other "
              "CPUs add up terms in other orders, so trained accuracies there can come out a "
              "few points different.")
    if info is None:
        name = numpy_blas_name()
        blas = (f"an OpenBLAS ({name}) that could not be told apart from others loaded"
                if "openblas" in (name or "") else f"{name} as its BLAS" if name
                else "a BLAS it does not name")
        return f"Computed with numpy {np.__version__} and {blas}. {caveat}"
    version = info.get("version") or "(version not reported)"
    architecture = info.get("architecture")
    if architecture is None:
        kernels = "kernels it does not report"
    elif os.environ.get("OPENBLAS_CORETYPE", "").casefold() == architecture.casefold():
        kernels = f"the {architecture} kernels that OPENBLAS_CORETYPE asks for"
    else:
        # chosen for the CPU, OPENBLAS_CORETYPE unset or not taken (unknown name, set too late)
        kernels = f"the {architecture} kernels it picked for this CPU"
    threads = info.get("num_threads")
    on_threads = "" if threads is None else f" on {threads} thread{'s' * (threads != 1)}"
    return (f"Computed with numpy {np.__version__} and OpenBLAS {version}, running "
            f"{kernels}{on_threads}. {caveat}")
