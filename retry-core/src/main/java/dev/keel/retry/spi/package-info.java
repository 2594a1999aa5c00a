/** Extension points of retry-core: the sleeper that in-place retry and replay pacing wait with. */
package dev.keel.retry.spi;
