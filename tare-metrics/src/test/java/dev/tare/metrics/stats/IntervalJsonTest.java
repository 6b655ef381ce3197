package dev.tare.metrics.stats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The forms of the one interval writer, as the files that use them have always been written. */
class IntervalJsonTest {
    static final Interval CI = new Interval(0.5, 0.25, 0.75, 0.95);
    static final Interval POINT = Interval.point(0.5);
    static final Interval UNDEFINED = Interval.point(Double.NaN);

    static String text(IntervalJson form, Interval iv) throws Exception {
        return JsonMapper.builder().build().writeValueAsString(form.node(iv));
    }

    @Test void anIntervalWithItsBounds() throws Exception {
        assertEquals("{\"value\":0.5,\"lo\":0.25,\"hi\":0.75,\"level\":0.95}", text(IntervalJson.SUMMARY, CI));
        assertEquals("{\"value\":0.5,\"lo\":0.25,\"hi\":0.75,\"level\":0.95}", text(IntervalJson.METRICS, CI));
        assertEquals("{\"value\":0.5,\"lo\":0.25,\"hi\":0.75}", text(IntervalJson.JUDGE, CI));
        assertEquals("{\"value\":0.5,\"lo\":0.25,\"hi\":0.75}", text(IntervalJson.CALIBRATION, CI));
    }

    @Test void aPointEstimateWithoutAnInterval() throws Exception {
        assertEquals("{\"value\":0.5,\"lo\":null,\"hi\":null,\"level\":null}", text(IntervalJson.SUMMARY, POINT));
        assertEquals("{\"value\":0.5}", text(IntervalJson.METRICS, POINT));
        assertEquals("{\"value\":0.5}", text(IntervalJson.JUDGE, POINT));
        JsonNode c = IntervalJson.CALIBRATION.node(POINT);
        assertTrue(Double.isNaN(c.get("lo").asDouble()) && Double.isNaN(c.get("hi").asDouble()) && !c.has("level"), c.toString());
    }

    @Test void anUndefinedValueAndAMissingInterval() throws Exception {
        assertEquals("{\"value\":null,\"lo\":null,\"hi\":null,\"level\":null}", text(IntervalJson.SUMMARY, UNDEFINED));
        assertEquals("{\"value\":null}", text(IntervalJson.METRICS, UNDEFINED));
        assertEquals("{\"value\":null}", text(IntervalJson.JUDGE, UNDEFINED));
        for (IntervalJson f : IntervalJson.values()) assertTrue(f.node(null).isNull(), f.name());
    }
}
