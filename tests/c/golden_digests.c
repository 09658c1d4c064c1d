/* Digest driver: runs fills described on stdin through the C core's API (wi_core.h) and
 * prints the SHA-256 of each result, so builds of the same core for different architectures,
 * compilers and SIMD paths can be compared byte for byte with each other and with
 * tests/data/golden_digests.json. No Python: it runs where only the core cross-compiles
 * (aarch64 under qemu-user, scripts/cross_check.sh). tests/c/golden_specs.py writes the input.
 *
 * One case per line, fields separated by spaces (codes from src/wi/_contract.py):
 *
 *   NAME DIST DTYPE N SEED STREAM BLOCK LANE LO WIDTH HI CLAMP_LO P0 PW [NDIM G_1..G_NDIM CUTS]
 *
 * Without NDIM it is a plain fill (wi_fill) of N elements. With NDIM, N is the product of the
 * global shape G, and CUTS gives, per axis, a count k then k cut points inside (0, G_d): the
 * array is filled block by block with wi_fill_region (every block of the grid the cuts make),
 * the blocks are copied into one array and that array is digested, which must equal the
 * digest of the plain fill of the whole array. Every buffer has guard bytes on both sides
 * that must survive the fill. Doubles may be written in C99 hex (Python's float.hex()).
 *
 *   golden_digests [--simd NAME] [--threads N] < cases.txt   prints "NAME SHA256" per case
 *   golden_digests --list                                    the SIMD paths this CPU runs
 *   golden_digests --selftest                                SHA-256 against FIPS 180-4
 * Exit status 0 when every case ran and no guard byte changed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "wi_core.h"

#define MAX_NDIM 8
#define MAX_CUTS 16
#define GUARD 64
#define GUARD_BYTE 0xA5

static const unsigned itemsize[WI_DTYPE_COUNT] = WI_ITEMSIZE_TABLE;

typedef struct {
    char name[256];
    wi_fill_spec spec;
    unsigned ndim;                  /* 0: a plain fill */
    uint64_t global[MAX_NDIM];
    unsigned ncuts[MAX_NDIM];
    uint64_t cuts[MAX_NDIM][MAX_CUTS + 2]; /* 0, the cut points, global[d] */
} fill_case;

static int die(const char *what, const char *detail)
{
    fprintf(stderr, "golden_digests: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(2);
}

/* ---- parsing ---- */

static char *token(char **p)
{
    char *s = *p + strspn(*p, " \t\r\n");
    if (!*s) return NULL;
    char *e = s + strcspn(s, " \t\r\n");
    if (*e) *e++ = '\0';
    *p = e;
    return s;
}

static uint64_t u64(char **p, const char *line)
{
    char *t = token(p), *end;
    if (!t) die("missing integer field", line);
    errno = 0;
    unsigned long long v = strtoull(t, &end, 10);
    if (*end || errno || *t == '-') die("bad integer field", t);
    return (uint64_t)v;
}

static double real(char **p, const char *line)
{
    char *t = token(p), *end;
    if (!t) die("missing real field", line);
    double v = strtod(t, &end);
    if (*end) die("bad real field", t);
    return v;
}

/* Reads one case; 0 at the end of the input. */
static int read_case(FILE *in, fill_case *c, wi_simd simd, int nthreads)
{
    static char line[4096], copy[4096];
    do {
        if (!fgets(line, sizeof line, in)) return 0;
    } while (line[strspn(line, " \t\r\n")] == '\0' || line[0] == '#');
    snprintf(copy, sizeof copy, "%s", line);
    char *p = line, *name = token(&p);
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    wi_fill_spec *s = &c->spec;
    uint64_t dist = u64(&p, copy), dtype = u64(&p, copy);
    if (dist >= WI_DIST_COUNT || dtype >= WI_DTYPE_COUNT) die("unknown dist or dtype code", copy);
    s->dist = (wi_dist)dist;
    s->dtype = (wi_dtype)dtype;
    s->n = u64(&p, copy);
    uint64_t seed = u64(&p, copy);
    s->key[0] = (uint32_t)seed;
    s->key[1] = (uint32_t)(seed >> 32);
    s->stream = u64(&p, copy);
    s->first_block = u64(&p, copy);
    s->first_lane = (unsigned)u64(&p, copy);
    s->lo = real(&p, copy), s->width = real(&p, copy), s->hi = real(&p, copy);
    s->clamp_lo = real(&p, copy), s->p0 = real(&p, copy), s->pw = real(&p, copy);
    s->simd = simd;
    s->nthreads = nthreads;
    char *more = token(&p);
    if (!more) return 1;
    c->ndim = (unsigned)strtoul(more, NULL, 10);
    if (c->ndim < 1 || c->ndim > MAX_NDIM) die("NDIM must be 1..8", copy);
    uint64_t size = 1;
    for (unsigned d = 0; d < c->ndim; d++) size *= c->global[d] = u64(&p, copy);
    if (size != s->n) die("N must be the product of the global shape", copy);
    for (unsigned d = 0; d < c->ndim; d++) {
        unsigned k = (unsigned)u64(&p, copy);
        if (k > MAX_CUTS) die("at most 16 cuts per axis", copy);
        c->ncuts[d] = k + 1; /* intervals */
        c->cuts[d][0] = 0;
        for (unsigned i = 1; i <= k; i++) {
            c->cuts[d][i] = u64(&p, copy);
            if (c->cuts[d][i] <= c->cuts[d][i - 1] || c->cuts[d][i] >= c->global[d]) die("cuts must rise inside the axis", copy);
        }
        c->cuts[d][k + 1] = c->global[d];
    }
    if (token(&p)) die("trailing fields", copy);
    return 1;
}

/* ---- buffers with guard bytes ---- */

static unsigned char *guarded(uint64_t bytes)
{
    unsigned char *b = malloc(bytes + 2 * GUARD);
    if (!b) die("out of memory", NULL);
    memset(b, GUARD_BYTE, bytes + 2 * GUARD);
    return b + GUARD;
}

static int guards_intact(unsigned char *p, uint64_t bytes)
{
    for (int i = 0; i < GUARD; i++)
        if (p[-1 - i] != GUARD_BYTE || p[bytes + (uint64_t)i] != GUARD_BYTE) return 0;
    return 1;
}

static void release(unsigned char *p) { free(p - GUARD); }

/* ---- the fills ---- */

/* Copies a filled block (shape at start, row-major) into the global array. */
static void scatter(unsigned char *global, const unsigned char *block, const fill_case *c,
                    const uint64_t *start, const uint64_t *shape)
{
    unsigned nd = c->ndim, size = itemsize[c->spec.dtype];
    uint64_t idx[MAX_NDIM] = {0}, rows = 1, row_bytes = shape[nd - 1] * size;
    for (unsigned d = 0; d + 1 < nd; d++) rows *= shape[d];
    for (uint64_t r = 0; r < rows; r++) {
        uint64_t flat = 0;
        for (unsigned d = 0; d < nd; d++) flat = flat * c->global[d] + start[d] + (d + 1 < nd ? idx[d] : 0);
        memcpy(global + flat * size, block + r * row_bytes, row_bytes);
        for (int d = (int)nd - 2; d >= 0 && ++idx[d] == shape[d]; d--) idx[d] = 0; /* next row */
    }
}

/* Fills every block of the cut grid with wi_fill_region into `out`; 0 on success. */
static int fill_blocks(const fill_case *c, unsigned char *out)
{
    unsigned nd = c->ndim, size = itemsize[c->spec.dtype], at[MAX_NDIM] = {0};
    for (;;) {
        uint64_t start[MAX_NDIM], shape[MAX_NDIM], n = 1;
        for (unsigned d = 0; d < nd; d++) {
            start[d] = c->cuts[d][at[d]];
            shape[d] = c->cuts[d][at[d] + 1] - start[d];
            n *= shape[d];
        }
        unsigned char *block = guarded(n * size);
        wi_fill_spec s = c->spec;
        s.out = block;
        s.n = n;
        const wi_region r = {nd, c->global, start, shape};
        int bad = wi_fill_region(&s, &r) != 0 || !guards_intact(block, n * size);
        if (!bad) scatter(out, block, c, start, shape);
        release(block);
        if (bad) return -1;
        int d = (int)nd - 1;
        while (d >= 0 && ++at[d] == c->ncuts[d]) at[d--] = 0; /* next block of the grid */
        if (d < 0) return 0;
    }
}

static int run_case(const fill_case *c)
{
    uint64_t bytes = c->spec.n * itemsize[c->spec.dtype];
    unsigned char *out = guarded(bytes);
    wi_fill_spec s = c->spec;
    s.out = out;
    int ok;
    if (c->ndim == 0) {
        wi_fill(&s);
        ok = 1;
    } else {
        ok = fill_blocks(c, out) == 0;
    }
    ok = ok && guards_intact(out, bytes);
    if (ok) {
        sha256_ctx h;
        char hex[65];
        sha256_init(&h);
        sha256_update(&h, out, (size_t)bytes);
        sha256_hex(&h, hex);
        printf("%s %s\n", c->name, hex);
    } else {
        fprintf(stderr, "golden_digests: %s: the region was refused or a guard byte changed\n", c->name);
    }
    release(out);
    return ok;
}

/* ---- self test and options ---- */

static int selftest(void)
{
    static const struct { const char *msg; const char *hex; } known[] = { /* FIPS 180-4 examples */
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    int failed = 0;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        sha256_ctx h;
        char hex[65];
        sha256_init(&h);
        for (const char *m = known[i].msg; *m; m++) sha256_update(&h, m, 1); /* byte by byte: the buffering too */
        sha256_hex(&h, hex);
        if (strcmp(hex, known[i].hex)) {
            fprintf(stderr, "sha256(\"%s\") = %s, expected %s\n", known[i].msg, hex, known[i].hex);
            failed = 1;
        }
    }
    puts(failed ? "selftest: FAILED" : "selftest: sha256 OK");
    return failed;
}

static wi_simd simd_by_name(const char *name)
{
    static const char *const names[WI_SIMD_COUNT] = WI_SIMD_NAMES;
    for (int s = 0; s < WI_SIMD_COUNT; s++)
        if (!strcmp(name, names[s])) {
            if (!wi_simd_supported((wi_simd)s)) die("this build or CPU does not run SIMD path", name);
            return (wi_simd)s;
        }
    die("unknown SIMD path", name);
    return WI_SIMD_PORTABLE;
}

int main(int argc, char **argv)
{
    wi_simd simd = wi_simd_best();
    int nthreads = 0;
    wi_init();
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--selftest")) return selftest();
        if (!strcmp(argv[i], "--list")) {
            for (int s = 0; s < WI_SIMD_COUNT; s++)
                if (wi_simd_supported((wi_simd)s)) puts(wi_simd_name((wi_simd)s));
            return 0;
        }
        if (!strcmp(argv[i], "--simd") && i + 1 < argc) simd = simd_by_name(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) nthreads = atoi(argv[++i]);
        else die("usage: golden_digests [--simd NAME] [--threads N] < cases | --list | --selftest", argv[i]);
    }
    fill_case c;
    int ok = 1, count = 0;
    while (read_case(stdin, &c, simd, nthreads)) {
        ok &= run_case(&c);
        count++;
    }
    fprintf(stderr, "golden_digests: %d cases, simd %s, threads %d\n", count, wi_simd_name(simd),
            nthreads ? nthreads : wi_get_num_threads());
    return ok && count > 0 ? 0 : 1;
}
