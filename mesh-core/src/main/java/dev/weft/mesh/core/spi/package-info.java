/**
 * The protocol adapter SPI: how a protocol module (gRPC, HTTP) hands a call to the engine and runs
 * the attempts the engine asks for. A module describes the call ({@link
 * dev.weft.mesh.core.spi.CallRequest}), implements {@link dev.weft.mesh.core.spi.AttemptAdapter} to
 * start one attempt on a chosen endpoint, reports each attempt's end to its {@link
 * dev.weft.mesh.core.spi.AttemptSink}, and hears the call's outcome once through {@link
 * dev.weft.mesh.core.spi.CallListener}. Retries, hedging, deadlines and budgets stay in the engine;
 * the adapter never loops.
 */
package dev.weft.mesh.core.spi;
