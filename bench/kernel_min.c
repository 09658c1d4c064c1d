/* The kernels alone, least noisy: one thread, a 16 Ki-element in-cache buffer filled 200
 * times per timing, the minimum of `reps` timings (on a shared machine the minimum is the
 * run nobody preempted; `python -m wi bench --kernel` reports medians). Used for the
 * before/after rows of docs/benchmarks.md. Build and run from the repo root:
 *
 *   gcc -O3 -std=c11 -ffp-contract=off -fno-math-errno -Isrc/wi/csrc -o /tmp/kernel_min \
 *       bench/kernel_min.c src/wi/csrc/kernel_{avx512,avx2,portable}.c
 *   /tmp/kernel_min avx512 DIST DTYPE [reps]   # DIST 0 raw, 1 uniform, 2 normal, 3 truncnorm;
 *                                              # DTYPE 0 uint32, 1 float32, 2 float64
 *
 * The checksum of the last fill must match between paths and versions (same values). */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "wi_core.h"
#include "wi_kernels.h"
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+1e-9*t.tv_nsec;}
int main(int argc,char**argv){
  const char*path=argv[1]; int dist=atoi(argv[2]), dtype=atoi(argv[3]); int reps=argc>4?atoi(argv[4]):15;
  wi_kernel_fn f = !strcmp(path,"avx512")?wi_kernel_fill_avx512:!strcmp(path,"avx2")?wi_kernel_fill_avx2:wi_kernel_fill_portable;
  static char buf[16384*8] __attribute__((aligned(64)));
  wi_fill_spec s; memset(&s,0,sizeof s); s.out=buf; s.n=16384; s.dist=dist; s.dtype=dtype; s.key[0]=1; s.key[1]=2; s.stream=3;
  s.lo=0; s.width=1; s.hi=1; s.clamp_lo=-1; s.p0=0.1; s.pw=0.8;
  if(dist==WI_DIST_UNIFORM){s.lo=-1;s.width=2;s.hi=1;}
  if(dist==WI_DIST_NORMAL){s.lo=0;s.width=1;}
  if(dist==WI_DIST_TRUNCNORM){s.lo=0;s.width=1;s.hi=2;s.clamp_lo=-2;}
  double best=1e9; int inner=200;
  for(int r=0;r<reps;r++){double t=now(); for(int i=0;i<inner;i++){s.first_block=(uint64_t)i*100000; f(&s,0,s.n,0);} t=now()-t; if(t<best)best=t;}
  unsigned h=0; for(int i=0;i<16384*4;i++) h=h*31+(unsigned char)buf[i];
  printf("%s dist%d dtype%d: %.3f ns/elem  (%.2f cyc@2.596) chk %08x\n",path,dist,dtype,best/inner/16384*1e9,best/inner/16384*1e9*2.596,h);
  return 0;}
