package dev.tare.train.grad;

import java.util.Random;
import java.util.function.DoubleUnaryOperator;

/** Central finite differences (Richardson-extrapolated) and the error measures the gradient tests report. */
final class FiniteDifferences {
    private FiniteDifferences() {}

    /** d/dt f(t) at t = 0 from central differences at h and h/2 combined to O(h⁴). */
    static double derivative(DoubleUnaryOperator f, double h) {
        double d1 = (f.applyAsDouble(h) - f.applyAsDouble(-h)) / (2 * h);
        double d2 = (f.applyAsDouble(h / 2) - f.applyAsDouble(-h / 2)) / h;
        return (4 * d2 - d1) / 3;
    }

    /** A float64 loss of float64 inputs. */
    interface Loss { double at(double[] x); }

    /** The full gradient of {@code f} at {@code x} by central differences of each coordinate (float64, x left unchanged). */
    static double[] gradient(Loss f, double[] x, double h) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int idx = i;
            double x0 = x[i];
            g[i] = derivative(t -> {
                x[idx] = x0 + t;
                double v = f.at(x);
                x[idx] = x0;
                return v;
            }, h);
        }
        return g;
    }

    /** max |a − b| / max |b| (b the reference). */
    static double relError(float[] a, double[] b) {
        double scale = 0, diff = 0;
        for (int i = 0; i < b.length; i++) {
            scale = Math.max(scale, Math.abs(b[i]));
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }

    /** max |a − b| / max |b|. */
    static double relError(float[] a, float[] b) { return relError(a, toDouble(b)); }

    static double[] toDouble(float[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[i];
        return r;
    }

    static float[] toFloat(double[] a) {
        float[] r = new float[a.length];
        for (int i = 0; i < a.length; i++) r[i] = (float) a[i];
        return r;
    }

    static float[] gauss(Random r, int n) { return gauss(r, n, 1.0); }

    static float[] gauss(Random r, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * std);
        return v;
    }

    static double dot(float[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
