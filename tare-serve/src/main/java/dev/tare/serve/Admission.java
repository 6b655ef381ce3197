package dev.tare.serve;

import java.time.Duration;

/**
 * What the server does with a request that finds the queue full ({@code "admission"} in a deployment): {@code shed}
 * answers 429 + Retry-After at once; {@code queue} holds it, first come first served, up to {@code maxWait} for room,
 * then answers 429 + Retry-After. {@code queue} is for trainers that do not honour Retry-After: OpenRLHF v0.11 retries
 * 5 times 1 s apart whatever the status and header, then the sample's reward becomes None
 * (openrlhf/utils/agent.py, SingleTurnAgentExecutor._fetch_rewards_via_http), with a 180 s client timeout.
 */
public record Admission(boolean queue, Duration maxWait) {
    public Admission {
        if (!queue && !maxWait.isZero()) throw new IllegalArgumentException("shed admission has no wait");
        if (queue && (maxWait.isNegative() || maxWait.isZero())) throw new IllegalArgumentException("queue admission needs a wait > 0");
    }

    /** 429 + Retry-After as soon as the queue is full. */
    public static Admission shed() { return new Admission(false, Duration.ZERO); }

    /** Hold a request up to {@code maxWait} for room in the queue. */
    public static Admission queue(Duration maxWait) { return new Admission(true, maxWait); }

    /** "shed" or "queue (max N s)". */
    public String describe() { return queue ? "queue (max_wait_s " + maxWait.toSeconds() + ")" : "shed"; }
}
