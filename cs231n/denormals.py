"""Training with denormal (subnormal) floats treated as zero, as deep-learning frameworks do on
the CPU.

Adam drives the weights of dead ReLU units towards zero, to magnitudes like 1e-36 in float32.
Their products inside a matrix product are subnormal, and x86 CPUs compute with subnormal
numbers in microcode, many times slower. In Problem 4's search, a third of a [1024, 512] net's
W2 ended below 1e-30, and h1 @ W2 took 16.4 ms instead of 2.1 ms (measured): epochs grew from
10 s to 60 s.

The CPU's flush-to-zero (FTZ: a subnormal result becomes 0) and denormals-are-zero (DAZ: a
subnormal operand reads as 0) modes remove that cost; PyTorch offers them as
torch.set_flush_denormal. They are bits of the MXCSR register, set here through the C library's
fegetenv/fesetenv. They apply to the calling thread only: a training loop with one BLAS thread
(as cs231n.search runs them) is fully covered; with several, OpenBLAS's helper threads keep the
default mode. The change to results is nil in practice: only values below 1.2e-38 (float32) or
2.2e-308 (float64) become zero.
"""
import contextlib
import ctypes
import ctypes.util
import platform

# glibc's fenv_t on x86-64 (32 bytes): the 28-byte x87 environment, then the 4-byte MXCSR.
_FENV_SIZE, _MXCSR_OFFSET = 32, 28
_FTZ_DAZ = (1 << 15) | (1 << 6)


def _load_libm():
    """The C math library, where these modes can be set (Linux on x86-64); else None."""
    if platform.system() != "Linux" or platform.machine() != "x86_64":
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
    except OSError:
        return None


_LIBM = _load_libm()


def _mxcsr_env():
    env = ctypes.create_string_buffer(_FENV_SIZE)
    if _LIBM.fegetenv(env) != 0:
        raise OSError("fegetenv failed")
    return env, int.from_bytes(env.raw[_MXCSR_OFFSET:], "little")


def _set_mxcsr(env, mxcsr):
    ctypes.memmove(ctypes.addressof(env) + _MXCSR_OFFSET, mxcsr.to_bytes(4, "little"), 4)
    if _LIBM.fesetenv(env) != 0:
        raise OSError("fesetenv failed")


@contextlib.contextmanager
def denormals_are_zero():
    """Context manager: inside it, this thread's float arithmetic flushes subnormal
    numbers to zero.

    Yields True if the modes were set, False where they are not supported (other than Linux on
    x86-64), where the code runs unchanged. On exit the two bits get back their previous values;
    the rest of the floating-point environment is left as it is.

        with denormals_are_zero():
            solver.train()
    """
    if _LIBM is None:
        yield False
        return
    env, before = _mxcsr_env()
    _set_mxcsr(env, before | _FTZ_DAZ)
    try:
        yield True
    finally:
        env, now = _mxcsr_env()
        _set_mxcsr(env, (now & ~_FTZ_DAZ) | (before & _FTZ_DAZ))
