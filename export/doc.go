// Package export streams radscope's messages and flows out of the laptop:
// into ClickHouse (ClickHouse), where fleet-wide reports run as SQL
// (report.SummaryFromClickHouse, report.FilterSQL, Read), or as
// newline-delimited JSON with Elastic Common Schema field names (NDJSON).
//
// # ClickHouse
//
// Two tables (Schema, CreateSchema): radscope_messages, one row per
// message, and radscope_flows, one per flow. Only types ClickHouse 18.16
// accepts: DateTime('UTC') with a nanoseconds column, Nested(...) for
// attributes, rounds and findings, and the fields people filter on (user,
// NAS, client, calling station, reason, authentication type, MFA result) as
// their own columns. Both are ReplacingMergeTree, partitioned by day and
// ordered by time and a deterministic id (MessageID, FlowID), so rows
// written twice — a retried batch, a re-run export — are kept once; Read
// and the report queries use FINAL.
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
