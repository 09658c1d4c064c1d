/* The vector math for one precision: included by vmath.h with WI_VMATH_PREC 32 (float32,
 * functions named *_f32) and 64 (float64, *_f64). Only the constants below differ. */

#if WI_VMATH_PREC == 32
#define T_ float
#define VF vf32
#define VI vi32
#define VU vu32
#define IT int32_t
#define SEL sel32
#define ANY_LANE any_lane32
#define SQRT wi_sqrt_f32
#define FN(name) name##_f32
#define PC(name) WI_##name##_F32 /* a wi_poly.h constant of this precision */
#define MANT_BITS 23                   /* stored mantissa bits */
#define EXP_BIAS 127
#define MANT_MASK 0x007FFFFF
#define ONE_BITS 0x3F800000            /* 1.0 */
#define SQRT2_BITS 0x3FB504F3          /* sqrt(2) */
#define EXP_LSB 0x00800000
#define SIGN_BIT 0x80000000u
#define ABS_MASK 0x7FFFFFFF
#define TINY 0x1p-126f                 /* smallest normal */
#define U_BITS 24                      /* random bits per uniform */
#define U_ULP 0x1p-24f
#define U_TO_FLOAT u24_to_f32          /* 0 <= k <= 2^U_BITS */
#define S_TO_FLOAT s24_to_f32          /* |k| < 2^U_BITS */
#elif WI_VMATH_PREC == 64
#define T_ double
#define VF vf64
#define VI vi64
#define VU vu64
#define IT int64_t
#define SEL sel64
#define ANY_LANE any_lane64
#define SQRT wi_sqrt_f64
#define FN(name) name##_f64
#define PC(name) WI_##name##_F64
#define MANT_BITS 52
#define EXP_BIAS 1023
#define MANT_MASK 0x000FFFFFFFFFFFFFll
#define ONE_BITS 0x3FF0000000000000ll
#define SQRT2_BITS 0x3FF6A09E667F3BCDll
#define EXP_LSB 0x0010000000000000ll
#define SIGN_BIT 0x8000000000000000ull
#define ABS_MASK 0x7FFFFFFFFFFFFFFFll
#define TINY 0x1p-1022
#define U_BITS 53
#define U_ULP 0x1p-53
#define U_TO_FLOAT u53_to_f64
#define S_TO_FLOAT s51_to_f64
#else
#error "WI_VMATH_PREC must be 32 or 64"
#endif
#define LANE_BITS (8 * (int)sizeof(T_))

/* ---- -2 ln(u) for u in (0, 1] ---- */

WI_INLINE void FN(neg2log)(int n, const VF *u, VF *out)
{
    static const T_ c[] = PC(LOG_C);
    VI e[WI_NMAX], mb[WI_NMAX];
    VF s[WI_NMAX], z[WI_NMAX], p[WI_NMAX];
    EACH(j) {
        VI bits = (VI)u[j];
        e[j] = (VI)((VU)bits >> MANT_BITS) - EXP_BIAS; /* u > 0: the sign bit is clear */
        mb[j] = (bits & MANT_MASK) | ONE_BITS;
        VI big = mb[j] > SQRT2_BITS; /* m > sqrt(2): halve m, bump e */
        mb[j] -= big & EXP_LSB;
        e[j] -= big;
    }
    EACH(j) s[j] = ((VF)mb[j] - (T_)1) / ((VF)mb[j] + (T_)1);
    EACH(j) z[j] = s[j] * s[j];
    EACH(j) p[j] = (VF){} + c[PC(LOG_N) - 1];
#pragma GCC unroll 16
    for (int i = PC(LOG_N) - 2; i >= 0; i--) EACH(j) p[j] = p[j] * z[j] + c[i];
    EACH(j) {
        VF ef = S_TO_FLOAT(e[j]);
        out[j] = (ef * (T_)PC(LN2_HI) + (ef * (T_)PC(LN2_LO) + s[j] * p[j])) * (T_)-2;
    }
}

/* ---- sin and cos of 2*pi*(q/4 + f), |f| <= 1/8, q the quadrant ---- */

WI_INLINE void FN(sincos)(int n, const VF *f, const VI *q, VF *sn, VF *cs)
{
    static const T_ cs_[] = PC(SIN_C), cc_[] = PC(COS_C);
    VF z[WI_NMAX], ps[WI_NMAX], pc[WI_NMAX];
    EACH(j) z[j] = f[j] * f[j];
    EACH(j) ps[j] = (VF){} + cs_[PC(SIN_N) - 1];
    EACH(j) pc[j] = (VF){} + cc_[PC(COS_N) - 1];
#pragma GCC unroll 16
    for (int i = PC(COS_N) - 2; i >= 0; i--) {
        if (i <= PC(SIN_N) - 2) EACH(j) ps[j] = ps[j] * z[j] + cs_[i];
        EACH(j) pc[j] = pc[j] * z[j] + cc_[i];
    }
    EACH(j) {
        ps[j] = ps[j] * f[j];
        VI swap = -(q[j] & 1);
        sn[j] = (VF)(SEL(swap, (VI)pc[j], (VI)ps[j]) ^ ((q[j] & 2) << (LANE_BITS - 2)));
        cs[j] = (VF)(SEL(swap, (VI)ps[j], (VI)pc[j]) ^ (((q[j] + 1) & 2) << (LANE_BITS - 2)));
    }
}

/* ---- Box-Muller on word pairs: (radius word, angle word) -> (r cos, r sin) ---- */

WI_INLINE void FN(box_muller)(int n, const VU *w_radius, const VU *w_angle, VF *zc, VF *zs)
{
    VF u1[WI_NMAX], r[WI_NMAX], f[WI_NMAX], sn[WI_NMAX], cs[WI_NMAX];
    VI q[WI_NMAX];
    EACH(j) u1[j] = U_TO_FLOAT((w_radius[j] >> (LANE_BITS - U_BITS)) + 1u) * U_ULP; /* (0, 1] */
    EACH(j) {
        VI k = (VI)(w_angle[j] >> (LANE_BITS - U_BITS));
        q[j] = (VI)((VU)(k + ((IT)1 << (U_BITS - 3))) >> (U_BITS - 2));
        f[j] = S_TO_FLOAT(k - (q[j] << (U_BITS - 2))) * U_ULP; /* [-1/8, 1/8) */
    }
    FN(neg2log)(n, u1, r);
    FN(sincos)(n, f, q, sn, cs);
    EACH(j) r[j] = SQRT(r[j]);
    EACH(j) {
        zc[j] = r[j] * cs[j];
        zs[j] = r[j] * sn[j];
    }
}

/* ---- the normal quantile (AS241), for the truncated normal ----
 * Q(p) for p in (0, 1). Lanes pick the central or tail branch; the far tail (beyond about
 * 7 standard deviations) is only evaluated when some lane needs it. */

WI_INLINE void FN(quantile)(int n, const VF *p, VF *z)
{
    VF q[WI_NMAX], r[WI_NMAX], zc[WI_NMAX], zt[WI_NMAX], t[WI_NMAX], s[WI_NMAX], s1[WI_NMAX];
    VI far[WI_NMAX];
    EACH(j) {
        q[j] = p[j] - (T_)0.5;
        r[j] = (T_)WI_AS241_CONST1 - q[j] * q[j];
        VF om = (T_)1 - p[j];
        t[j] = (VF)SEL(p[j] < om, (VI)p[j], (VI)om);
        t[j] = (VF)SEL(t[j] < TINY, (VI)((VF){} + TINY), (VI)t[j]);
    }
    WI_RATIONAL(T_, VF, r, WI_AS241_A, WI_AS241_B, zc);
    FN(neg2log)(n, t, s);
    EACH(j) s[j] = SQRT(s[j] * (T_)0.5); /* sqrt(-ln t) */
    EACH(j) s1[j] = s[j] - (T_)WI_AS241_CONST2;
    WI_RATIONAL(T_, VF, s1, WI_AS241_C, WI_AS241_D, zt);
    VI any = (VI){};
    EACH(j) {
        far[j] = s[j] > (T_)WI_AS241_SPLIT2;
        any |= far[j];
    }
    if (ANY_LANE(any)) {
        VF s2[WI_NMAX], zf[WI_NMAX];
        EACH(j) s2[j] = s[j] - (T_)WI_AS241_SPLIT2;
        WI_RATIONAL(T_, VF, s2, WI_AS241_E, WI_AS241_F, zf);
        EACH(j) zt[j] = (VF)SEL(far[j], (VI)zf[j], (VI)zt[j]);
    }
    EACH(j) {
        VF tail = (VF)((VU)zt[j] ^ ((VU)q[j] & SIGN_BIT)); /* negative below the median */
        VF aq = (VF)((VI)q[j] & ABS_MASK);
        z[j] = (VF)SEL(aq <= (T_)WI_AS241_SPLIT1, (VI)(q[j] * zc[j]), (VI)tail);
    }
}

#undef T_
#undef VF
#undef VI
#undef VU
#undef IT
#undef SEL
#undef ANY_LANE
#undef SQRT
#undef FN
#undef PC
#undef MANT_BITS
#undef EXP_BIAS
#undef MANT_MASK
#undef ONE_BITS
#undef SQRT2_BITS
#undef EXP_LSB
#undef SIGN_BIT
#undef ABS_MASK
#undef TINY
#undef U_BITS
#undef U_ULP
#undef U_TO_FLOAT
#undef S_TO_FLOAT
#undef LANE_BITS
