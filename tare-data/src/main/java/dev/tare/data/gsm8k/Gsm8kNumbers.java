package dev.tare.data.gsm8k;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Numbers written in GSM8K text ("24", "1,200", "0.50", ".5"): finding them, formatting a new value the way an old one
 * was written, and replacing values throughout a text. A number glued to a letter or another number ("2x", "x2",
 * "4th") is not a number token.
 */
public final class Gsm8kNumbers {
    private Gsm8kNumbers() {}

    /** An unsigned decimal: thousands commas allowed, or a leading-dot fraction. */
    public static final String NUM = "(?:\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?|\\.\\d+)";
    /** A number token in running text. */
    public static final Pattern TOKEN = Pattern.compile("(?<![A-Za-z0-9_.,])" + NUM + "(?![0-9A-Za-z_]|\\.\\d|,\\d)");

    /** The value of a number token ("1,200" → 1200). */
    public static BigDecimal parse(String token) {
        return new BigDecimal(token.replace(",", ""));
    }

    /** A value normalised for use as a map key (scale-free: 24, 24.0 and 24.00 are one key). */
    public static BigDecimal key(BigDecimal v) {
        return v.signum() == 0 ? BigDecimal.ZERO : v.stripTrailingZeros();
    }

    /** The shortest plain decimal form: 24, 0.5, 1200 (no exponent, no trailing zeros). */
    public static String plain(BigDecimal v) {
        return key(v).toPlainString();
    }

    /** {@code v} written the way {@code like} was: thousands commas if it had them, its decimal places if {@code v} fits in them. */
    public static String format(BigDecimal v, String like) {
        BigDecimal k = key(v);
        int dot = like.indexOf('.');
        int places = dot < 0 ? 0 : like.length() - dot - 1;
        if (places > 0 && Math.max(k.scale(), 0) <= places) k = k.setScale(places);
        String s = k.toPlainString();
        if (!like.contains(",")) return s;
        boolean neg = s.startsWith("-");
        String body = neg ? s.substring(1) : s;
        int d = body.indexOf('.');
        String ip = d < 0 ? body : body.substring(0, d), fp = d < 0 ? "" : body.substring(d);
        String grouped = String.format(java.util.Locale.ROOT, "%,d", new BigInteger(ip));
        return (neg ? "-" : "") + grouped + fp;
    }

    /** {@code text} with every number token whose value is a key of {@code map} (keys as {@link #key}) replaced by its value. */
    public static String substitute(String text, Map<BigDecimal, BigDecimal> map) {
        if (map.isEmpty()) return text;
        Matcher m = TOKEN.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            BigDecimal to = map.get(key(parse(m.group())));
            m.appendReplacement(sb, Matcher.quoteReplacement(to == null ? m.group() : format(to, m.group())));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
