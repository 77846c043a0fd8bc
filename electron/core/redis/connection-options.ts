import type { RedisOptions } from "ioredis";

/**
 * The store's connection fails commands at once while Redis is unreachable (no offline
 * queue), so the console reports the outage in a second instead of after ioredis's retries.
 */
export const FAIL_FAST_OPTIONS: RedisOptions = { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 };

/**
 * Connections derived from it that must ride out an outage instead: subscribers (ioredis
 * re-subscribes after a reconnect) and the rate limiter's, whose commands wait for Redis.
 */
export const SUBSCRIBER_OPTIONS: RedisOptions = { lazyConnect: false, enableOfflineQueue: true, maxRetriesPerRequest: null };
