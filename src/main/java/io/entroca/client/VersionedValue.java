package io.entroca.client;

/**
 * A value with the version it was stored under; hand the version to
 * {@link EntrocaClient#compareAndSet} to replace exactly this value.
 */
public record VersionedValue(byte[] value, long version) {
}
