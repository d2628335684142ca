package dev.meshroll.xds;

import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * One shared instance per distinct immutable value, so that streams asking for the same names, or
 * holding the same versions, keep one copy between them instead of one each. A value no stream
 * holds any more is dropped with the garbage.
 *
 * @param <T> an immutable type with value equality
 */
final class Interner<T> {
  // WeakHashMap is not thread-safe: the lock guards every access, and each is one short lookup.
  private final Map<T, WeakReference<T>> canonical = new WeakHashMap<>();

  /** The instance equal to {@code value} that was interned first and is still in use. */
  synchronized T intern(T value) {
    WeakReference<T> held = canonical.get(value);
    T existing = held == null ? null : held.get();
    if (existing != null) {
      return existing;
    }
    canonical.put(value, new WeakReference<>(value));
    return value;
  }
}
