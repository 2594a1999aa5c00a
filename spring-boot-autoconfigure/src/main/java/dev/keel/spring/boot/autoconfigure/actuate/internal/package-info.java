/** Internals of Keel's actuator support: what each Keel module shows and does; not an API. */
package dev.keel.spring.boot.autoconfigure.actuate.internal;
