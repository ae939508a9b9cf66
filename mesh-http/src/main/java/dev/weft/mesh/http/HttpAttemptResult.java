package dev.weft.mesh.http;

import java.net.http.HttpResponse;

/** What one HTTP attempt produced: a response, or the exception that took its place. */
record HttpAttemptResult<T>(HttpResponse<T> response, Throwable error) {}
