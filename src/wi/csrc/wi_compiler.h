/* The compiler floor, checked once for every C file of the core.
 *
 * The kernels are written in GCC/Clang vector extensions: __builtin_shufflevector (GCC 12,
 * any Clang with __builtin_convertvector), __builtin_convertvector, vector subscripts and
 * scalar-vector arithmetic, and per-function target pragmas. Nothing else compiles them. */
#ifndef WI_COMPILER_H
#define WI_COMPILER_H

#if defined(__clang__)
#if __clang_major__ < 9
#error "weightinit's C core needs Clang >= 9 (or GCC >= 12): vector extensions and '#pragma clang attribute'"
#endif
#elif defined(__GNUC__)
#if __GNUC__ < 12
#error "weightinit's C core needs GCC >= 12 (or Clang >= 9): __builtin_shufflevector arrived in GCC 12"
#endif
#else
#error "weightinit's C core needs GCC >= 12 or Clang >= 9 (GCC/Clang vector extensions)"
#endif

#endif
