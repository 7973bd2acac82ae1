package io.bulkhead.core.qrexec.internal;

/**
 * Token bucket for one qube's service calls: {@code ratePerSecond} sustained, {@code burst} at
 * once. Calls beyond it are refused (Qubes refuses beyond 256 pending calls; this also bounds
 * the rate at which a flooding qube can make dom0 evaluate policy).
 */
final class CallRateLimiter {
    private final double ratePerNano;
    private final double burst;
    private double tokens;
    private long last;

    CallRateLimiter(double ratePerSecond, int burst) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = System.nanoTime();
    }

    /** @return whether one more call may start now */
    synchronized boolean tryAcquire() {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - last) * ratePerNano);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
