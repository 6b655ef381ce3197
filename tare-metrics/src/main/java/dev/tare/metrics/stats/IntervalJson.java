package dev.tare.metrics.stats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The one JSON writer of an {@link Interval}: an object {@code {value, lo, hi[, level]}}. The files tare writes differ
 * in two settled details, kept per form so that their readers see what they always saw: whether the level is written,
 * and how an undefined number (NaN: no items, or a point estimate without an interval) is written. A missing
 * interval (null) is JSON null in every form.
 */
public enum IntervalJson {
    /** {@code summary.json} of eval, report, demo and sweep: all four fields, an undefined number as null. */
    SUMMARY(true, Undefined.NULL),
    /** {@code tare metrics}: {@code {"value": null}} when undefined, the value alone when it has no interval, else all four. */
    METRICS(true, Undefined.OMIT),
    /** A judge's RM-Bench summary: as {@link #METRICS} without the level. */
    JUDGE(false, Undefined.OMIT),
    /** {@code tare calibrate}'s summary.json: value, lo and hi as numbers (Jackson writes NaN as the string "NaN"). */
    CALIBRATION(false, Undefined.AS_IS);

    /** How an undefined (NaN) number is written. */
    private enum Undefined { NULL, OMIT, AS_IS }

    private final boolean level;
    private final Undefined undefined;

    IntervalJson(boolean level, Undefined undefined) {
        this.level = level;
        this.undefined = undefined;
    }

    /** The interval in this form; null gives JSON null. */
    public JsonNode node(Interval iv) {
        if (iv == null) return NullNode.instance;
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        if (undefined == Undefined.OMIT) {
            if (Double.isNaN(iv.value())) return o.putNull("value");
            o.put("value", iv.value());
            if (Double.isNaN(iv.lo())) return o;
        } else {
            number(o, "value", iv.value());
        }
        number(o, "lo", iv.lo());
        number(o, "hi", iv.hi());
        if (level) number(o, "level", iv.level());
        return o;
    }

    private void number(ObjectNode o, String key, double v) {
        if (undefined == Undefined.NULL && !Double.isFinite(v)) o.putNull(key);
        else o.put(key, v);
    }
}
