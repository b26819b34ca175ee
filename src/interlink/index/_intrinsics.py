"""Two CPU instructions numba does not expose: population count and cache prefetch.

Both compile to single instructions (``popcnt``, ``prefetcht0``) on the host CPU; the Hamming
kernels lean on them for verification and for overlapping memory misses.
"""

from __future__ import annotations

from typing import Any

from llvmlite import ir  # type: ignore[import-untyped]
from numba import types
from numba.core import cgutils as _cgutils
from numba.extending import intrinsic

cgutils: Any = _cgutils


def _popcount64(typingctx: Any, value: Any) -> Any:
    sig = types.uint64(types.uint64)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        fn = builder.module.declare_intrinsic("llvm.ctpop", [ir.IntType(64)])
        return builder.call(fn, args)

    return sig, codegen


def _prefetch(typingctx: Any, array: Any, index: Any) -> Any:
    sig = types.void(array, index)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        array_type = signature.args[0]
        view = context.make_array(array_type)(context, builder, args[0])
        pointer = cgutils.get_item_pointer(
            context, builder, array_type, view, [args[1]], wraparound=False, boundscheck=False
        )
        byte_pointer = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fn = builder.module.declare_intrinsic(
            "llvm.prefetch",
            [byte_pointer],
            ir.FunctionType(ir.VoidType(), [byte_pointer, i32, i32, i32]),
        )
        # read access, high temporal locality, data cache
        builder.call(fn, [builder.bitcast(pointer, byte_pointer), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return sig, codegen


#: ``popcount64(x)``: number of set bits of a ``uint64`` (one ``popcnt`` instruction).
popcount64: Any = intrinsic(_popcount64)
#: ``prefetch(array, index)``: hint that ``array[index]`` (a 1-d array) will be read soon; it
#: never faults, whatever the index.
prefetch: Any = intrinsic(_prefetch)
