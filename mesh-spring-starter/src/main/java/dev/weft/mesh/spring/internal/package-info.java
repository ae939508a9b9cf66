/** Implementation of the starter; not API, may change in any release. */
package dev.weft.mesh.spring.internal;
