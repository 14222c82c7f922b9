// Package export streams radscope's messages and flows out of the laptop:
// into ClickHouse (ClickHouse), where fleet-wide reports run as SQL
// (report.SummaryFromClickHouse, report.FilterSQL, Read), or as
// newline-delimited JSON with Elastic Common Schema field names (NDJSON).
//
// # ClickHouse
//
// Three tables (Schema, CreateSchema): radscope_messages, one row per
// message; radscope_flows, one per flow; radscope_runs, one per export run
// with what the flow builder found about the inputs as a whole (clock
// offsets, zone hints; AddRun, report.ClockFromClickHouse). Only types
// ClickHouse 18.16 accepts: DateTime('UTC') with a nanoseconds column,
// Nested(...) for attributes, rounds, findings and offsets, and the fields
// people filter on (user, NAS, client, calling station, reason,
// authentication type, MFA result) as their own columns. All are
// ReplacingMergeTree, ordered by time and a deterministic id (MessageID,
// FlowID), so rows written twice — a retried batch, a re-run export — are
// kept once; Read and the report queries use FINAL. CreateSchema adds the
// columns of newer versions to older tables (CheckSchema says when they are
// missing).
//
// The exporter encodes rows as JSONEachRow, leaving out empty and zero
// fields (ClickHouse fills the column default), frames them as gzip in
// batches of at most MaxBatchRows — stored for a server on the same
// machine, compressed at BestSpeed for one across a network
// (GzipLevelFor) — keeps Options.InFlight INSERTs in flight and retries a
// failed batch whole with backoff. The talking is
// done by package export/ch over the HTTP interface; export/chtest starts a
// real server for tests.
package export
