package dev.tare.metrics.alpacaeval;

import java.util.Arrays;

/**
 * A logistic regression without intercept fitted by Newton's method (IRLS) to soft labels y ∈ [0, 1] with per-row
 * weights: minimises Σ w_i · CE(y_i, σ(x_i · β)) + (ridge / 2) · ‖β‖², the loss AlpacaEval's GLM minimises when it
 * duplicates each row as a label-1 row weighted y and a label-0 row weighted 1 − y. Each step solves the Newton system
 * exactly (Cholesky) and halves until the objective decreases; convergence = largest step below 1e-10 (the objective
 * is strictly convex when the design has full rank or ridge &gt; 0), else an {@link IllegalStateException}.
 */
public final class SoftLogisticFit {
    /** The fitted coefficients, the Newton steps taken and the final gradient's largest entry. */
    public record Result(double[] coefficients, int iterations, double gradientNorm) {}

    private static final int MAX_ITERATIONS = 200;

    private SoftLogisticFit() {}

    /** Fits {@code x} (rows × features) to {@code y} with weights {@code w} and an L2 penalty {@code ridge} (0 = none). */
    public static Result fit(double[][] x, double[] y, double[] w, double ridge) {
        int n = x.length, k = x[0].length;
        if (y.length != n || w.length != n) throw new IllegalArgumentException("x, y and w differ in length");
        double[] b = new double[k];
        double f = objective(x, y, w, ridge, b);
        for (int it = 1; it <= MAX_ITERATIONS; it++) {
            double[] g = new double[k];
            double[][] h = new double[k][k];
            for (int i = 0; i < n; i++) {
                double mu = sigmoid(dot(x[i], b));
                double r = w[i] * (y[i] - mu), s = w[i] * mu * (1 - mu);
                for (int a = 0; a < k; a++) {
                    g[a] += r * x[i][a];
                    for (int c = 0; c <= a; c++) h[a][c] += s * x[i][a] * x[i][c];
                }
            }
            for (int a = 0; a < k; a++) {
                g[a] -= ridge * b[a];
                h[a][a] += ridge;
                for (int c = 0; c < a; c++) h[c][a] = h[a][c];
            }
            double[] step = solve(h, g);
            double t = 1;
            double[] next = new double[k];
            double fNext;
            while (true) {
                for (int a = 0; a < k; a++) next[a] = b[a] + t * step[a];
                fNext = objective(x, y, w, ridge, next);
                if (fNext <= f + 1e-15 * Math.abs(f) || t < 1e-8) break;
                t /= 2;
            }
            double largest = 0;
            for (int a = 0; a < k; a++) largest = Math.max(largest, Math.abs(next[a] - b[a]));
            b = next;
            f = fNext;
            if (largest < 1e-10) return new Result(b, it, Arrays.stream(g).map(Math::abs).max().orElse(0));
        }
        throw new IllegalStateException("logistic fit did not converge in " + MAX_ITERATIONS + " Newton steps");
    }

    /** The weighted soft-label cross-entropy plus the ridge term. */
    static double objective(double[][] x, double[] y, double[] w, double ridge, double[] b) {
        double f = 0;
        for (int i = 0; i < x.length; i++) {
            double eta = dot(x[i], b);
            // y·log σ(η) + (1 − y)·log σ(−η), computed stably
            f += w[i] * (y[i] * softplus(-eta) + (1 - y[i]) * softplus(eta));
        }
        double r = 0;
        for (double v : b) r += v * v;
        return f + ridge / 2 * r;
    }

    /** log(1 + e^x) without overflow. */
    static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    /** The logistic function 1 / (1 + e^−x), as AlpacaEval's exp(−logaddexp(0, −x)). */
    public static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /** Solves the symmetric positive definite system h·s = g by Cholesky. */
    static double[] solve(double[][] h, double[] g) {
        int k = g.length;
        double[][] l = new double[k][k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j <= i; j++) {
                double s = h[i][j];
                for (int m = 0; m < j; m++) s -= l[i][m] * l[j][m];
                if (i == j) {
                    if (!(s > 0)) throw new IllegalStateException("logistic fit: singular Hessian (collinear or constant features)");
                    l[i][i] = Math.sqrt(s);
                } else l[i][j] = s / l[j][j];
            }
        }
        double[] z = new double[k];
        for (int i = 0; i < k; i++) {
            double s = g[i];
            for (int m = 0; m < i; m++) s -= l[i][m] * z[m];
            z[i] = s / l[i][i];
        }
        double[] out = new double[k];
        for (int i = k - 1; i >= 0; i--) {
            double s = z[i];
            for (int m = i + 1; m < k; m++) s -= l[m][i] * out[m];
            out[i] = s / l[i][i];
        }
        return out;
    }
}
