/**
 * The step engine: a pure function from (spec, status, now, observations) to (new status, effects).
 * No I/O lives here: no files, no network, no plugins, no clock but the {@code now} it is given.
 * The host around it carries out the effects and feeds back what it observes.
 */
package dev.meshroll.host.engine;
