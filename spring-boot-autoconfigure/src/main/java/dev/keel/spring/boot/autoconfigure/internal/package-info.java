/** Internals of Keel's Spring Boot auto-configuration; not an API. */
package dev.keel.spring.boot.autoconfigure.internal;
