package dev.weft.mesh.grpc;

import io.grpc.Metadata;
import io.grpc.Status;

/** How one gRPC attempt ended: its status and trailers. */
record GrpcAttemptResult(Status status, Metadata trailers) {}
