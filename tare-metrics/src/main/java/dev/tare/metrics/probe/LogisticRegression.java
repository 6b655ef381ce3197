package dev.tare.metrics.probe;

import java.util.Arrays;

/**
 * Binary L2-regularised logistic regression with an unpenalised intercept, the problem scikit-learn's
 * {@code LogisticRegression(penalty="l2", C)} solves: minimise ½‖w‖² + C · Σ log(1 + exp(−ỹᵢ (w·xᵢ + b))).
 * Strictly convex, so this damped Newton solver (Cholesky steps, backtracking line search, double precision)
 * reaches the same optimum as lbfgs to the solver tolerance.
 */
public final class LogisticRegression {
    private LogisticRegression() {}

    /** A fitted model: class-1 coefficients and the intercept (sklearn's coef_[0] and intercept_[0]). */
    public record Fit(double[] coef, double intercept, int iterations) {
        public Fit {
            coef = coef.clone();
        }

        @Override public double[] coef() { return coef.clone(); }

        /** w·x + b. */
        public double decision(double[] x) {
            if (x.length != coef.length) throw new IllegalArgumentException("x has " + x.length + " features, the fit has " + coef.length);
            double s = intercept;
            for (int i = 0; i < x.length; i++) s += coef[i] * x[i];
            return s;
        }

        /** Class 1 when the decision is > 0 (sklearn's predict). */
        public int predict(double[] x) { return decision(x) > 0 ? 1 : 0; }

        /** Share of rows predicted right. */
        public double accuracy(double[][] x, int[] y) {
            if (x.length != y.length) throw new IllegalArgumentException(x.length + " rows but " + y.length + " labels");
            if (x.length == 0) throw new IllegalArgumentException("no rows to score");
            int ok = 0;
            for (int i = 0; i < x.length; i++) if (predict(x[i]) == y[i]) ok++;
            return (double) ok / x.length;
        }
    }

    /** Fits on rows {@code x} with labels {@code y} ∈ {0, 1} (both present) and inverse regularisation {@code c} > 0. */
    public static Fit fit(double[][] x, int[] y, double c) {
        int n = x.length;
        if (n == 0) throw new IllegalArgumentException("no rows to fit");
        if (y.length != n) throw new IllegalArgumentException(n + " rows but " + y.length + " labels");
        if (!(c > 0) || !Double.isFinite(c)) throw new IllegalArgumentException("C must be > 0 and finite, got " + c);
        int d = x[0].length;
        boolean has0 = false, has1 = false;
        for (int i = 0; i < n; i++) {
            if (x[i].length != d) throw new IllegalArgumentException("row " + i + " has " + x[i].length + " features, row 0 has " + d);
            for (double v : x[i]) if (!Double.isFinite(v)) throw new IllegalArgumentException("row " + i + " has a non-finite value");
            if (y[i] == 0) has0 = true;
            else if (y[i] == 1) has1 = true;
            else throw new IllegalArgumentException("label " + y[i] + " at row " + i + " is not 0 or 1");
        }
        if (!has0 || !has1) throw new IllegalArgumentException("both classes must be present to fit a probe (got only " + (has1 ? 1 : 0) + ")");
        int p = d + 1; // theta = (w, b)
        double[] theta = new double[p];
        double f = objective(x, y, c, theta);
        int it = 0;
        for (; it < 200; it++) {
            double[] grad = new double[p];
            double[][] hess = new double[p][p];
            for (int j = 0; j < d; j++) {
                grad[j] = theta[j];
                hess[j][j] = 1;
            }
            for (int i = 0; i < n; i++) {
                double z = theta[d];
                for (int j = 0; j < d; j++) z += theta[j] * x[i][j];
                double pr = sigmoid(z), r = c * (pr - y[i]), s = c * pr * (1 - pr);
                for (int j = 0; j < d; j++) grad[j] += r * x[i][j];
                grad[d] += r;
                for (int a = 0; a < p; a++) {
                    double xa = a < d ? x[i][a] : 1;
                    if (xa == 0) continue;
                    double sa = s * xa;
                    for (int b = 0; b <= a; b++) hess[a][b] += sa * (b < d ? x[i][b] : 1);
                }
            }
            for (int a = 0; a < p; a++) for (int b = 0; b < a; b++) hess[b][a] = hess[a][b];
            double gmax = 0;
            for (double g : grad) gmax = Math.max(gmax, Math.abs(g));
            if (gmax < 1e-12 * Math.max(1, Math.abs(f))) break;
            double[] step = solveSpd(hess, grad);
            double dec = 0;
            for (int j = 0; j < p; j++) dec += grad[j] * step[j];
            double t = 1;
            double[] next = new double[p];
            double fn;
            while (true) {
                for (int j = 0; j < p; j++) next[j] = theta[j] - t * step[j];
                fn = objective(x, y, c, next);
                if (fn <= f - 1e-4 * t * dec || t < 1e-10) break;
                t /= 2;
            }
            theta = next.clone();
            boolean small = f - fn <= 1e-15 * Math.max(1, Math.abs(f));
            f = fn;
            if (small && t == 1) {
                it++;
                break;
            }
        }
        return new Fit(Arrays.copyOf(theta, d), theta[d], it);
    }

    private static double objective(double[][] x, int[] y, double c, double[] theta) {
        int d = theta.length - 1;
        double reg = 0;
        for (int j = 0; j < d; j++) reg += theta[j] * theta[j];
        double loss = 0;
        for (int i = 0; i < x.length; i++) {
            double z = theta[d];
            for (int j = 0; j < d; j++) z += theta[j] * x[i][j];
            double m = y[i] == 1 ? z : -z; // log(1 + exp(-m)), stable
            loss += m > 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m));
        }
        return 0.5 * reg + c * loss;
    }

    private static double sigmoid(double z) {
        if (z >= 0) return 1 / (1 + Math.exp(-z));
        double e = Math.exp(z);
        return e / (1 + e);
    }

    /** Solves A s = g for symmetric positive definite A by Cholesky. */
    private static double[] solveSpd(double[][] a, double[] g) {
        int p = g.length;
        double[][] l = new double[p][p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) s -= l[i][k] * l[j][k];
                if (i == j) {
                    if (!(s > 0)) throw new ArithmeticException("Newton system is not positive definite (pivot " + s + ")");
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        double[] z = new double[p];
        for (int i = 0; i < p; i++) {
            double s = g[i];
            for (int k = 0; k < i; k++) s -= l[i][k] * z[k];
            z[i] = s / l[i][i];
        }
        double[] out = new double[p];
        for (int i = p - 1; i >= 0; i--) {
            double s = z[i];
            for (int k = i + 1; k < p; k++) s -= l[k][i] * out[k];
            out[i] = s / l[i][i];
        }
        return out;
    }
}
