/** The built-in metric providers: {@code prometheus} and {@code web}. */
package dev.meshroll.providers;
