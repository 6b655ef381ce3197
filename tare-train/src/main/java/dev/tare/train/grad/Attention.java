package dev.tare.train.grad;

import dev.tare.runtime.model.VecOps;

/**
 * Causal (optionally sliding-window, optionally soft-capped) grouped-query attention of one head over one packed
 * sequence, and its backward pass; probabilities are recomputed row by row in backward instead of stored.
 */
record Attention(int hd, int nh, int kvh, float scale, float cap, int window) {

    /** Scores of query row i against keys [lo, i] into sc (softmaxed); returns lo. */
    private int probabilities(int start, int i, int head, float[] q, float[] k, float[] sc) {
        int kvHead = head / (nh / kvh), kvW = kvh * hd;
        int qo = (start + i) * nh * hd + head * hd;
        int lo = window > 0 ? Math.max(0, i - window + 1) : 0;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = lo; j <= i; j++) {
            float s = VecOps.dot(q, qo, k, (start + j) * kvW + kvHead * hd, hd) * scale;
            if (cap > 0f) s = (float) Math.tanh(s / cap) * cap;
            sc[j] = s;
            if (s > max) max = s;
        }
        double sum = 0;
        for (int j = lo; j <= i; j++) {
            float e = (float) Math.exp(sc[j] - max);
            sc[j] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int j = lo; j <= i; j++) sc[j] *= inv;
        return lo;
    }

    void forward(int start, int n, int head, float[] q, float[] k, float[] v, float[] att) {
        int kvHead = head / (nh / kvh), kvW = kvh * hd;
        float[] sc = new float[n];
        for (int i = 0; i < n; i++) {
            int lo = probabilities(start, i, head, q, k, sc);
            int ao = (start + i) * nh * hd + head * hd;
            for (int d = 0; d < hd; d++) att[ao + d] = 0f;
            for (int j = lo; j <= i; j++) VecOps.axpy(sc[j], v, (start + j) * kvW + kvHead * hd, att, ao, hd);
        }
    }

    /** Adds this head's share of dL/dq, dL/dk, dL/dv given dL/d(attention output). Heads of one KV group must run on one thread. */
    void backward(int start, int n, int head, float[] q, float[] k, float[] v, float[] dAtt, float[] dq, float[] dk, float[] dv) {
        int kvHead = head / (nh / kvh), kvW = kvh * hd;
        float[] p = new float[n], dp = new float[n];
        for (int i = 0; i < n; i++) {
            int lo = probabilities(start, i, head, q, k, p);
            int ao = (start + i) * nh * hd + head * hd;
            double sum = 0;
            for (int j = lo; j <= i; j++) {
                int vo = (start + j) * kvW + kvHead * hd;
                dp[j] = VecOps.dot(dAtt, ao, v, vo, hd);
                sum += (double) p[j] * dp[j];
                VecOps.axpy(p[j], dAtt, ao, dv, vo, hd);
            }
            int qo = ao;
            for (int j = lo; j <= i; j++) {
                float ds = p[j] * (dp[j] - (float) sum);
                int ko = (start + j) * kvW + kvHead * hd;
                if (cap > 0f) {
                    float raw = VecOps.dot(q, qo, k, ko, hd) * scale;
                    float th = (float) Math.tanh(raw / cap);
                    ds *= 1f - th * th;
                }
                ds *= scale;
                VecOps.axpy(ds, k, ko, dq, qo, hd);
                VecOps.axpy(ds, q, qo, dk, ko, hd);
            }
        }
    }
}
