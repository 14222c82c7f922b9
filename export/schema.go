package export

import (
	"fmt"
	"strings"

	"github.com/radscope/radscope/export/ch"
)

// Tables names the two tables of an export.
type Tables struct {
	Messages string // default "radscope_messages"
	Flows    string // default "radscope_flows"
	Runs     string // default "radscope_runs"
}

// DefaultTables are the table names radscope uses.
var DefaultTables = Tables{Messages: "radscope_messages", Flows: "radscope_flows", Runs: "radscope_runs"}

func (t Tables) orDefault() Tables {
	if t.Messages == "" {
		t.Messages = DefaultTables.Messages
	}
	if t.Flows == "" {
		t.Flows = DefaultTables.Flows
	}
	if t.Runs == "" {
		t.Runs = DefaultTables.Runs
	}
	return t
}

func (t Tables) check() error {
	if err := ch.Ident(t.Messages); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := ch.Ident(t.Flows); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := ch.Ident(t.Runs); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// messageColumns and flowColumns are the columns of the two tables, in
// the order the rows are written. Only types ClickHouse 18.16 accepts:
// DateTime('UTC') plus a nanoseconds column for times, Nested for
// attributes, findings and rounds, String for everything people filter on.
var messageColumns = [][2]string{
	{"id", "UInt64"}, // deterministic: source position and content (see MessageID)
	{"flow_id", "UInt64"},
	{"flow_index", "UInt32"},
	{"time", "DateTime('UTC')"},
	{"time_ns", "UInt32"},
	{"kind", "String"},
	{"code", "UInt8"},
	{"packet_type", "String"},
	{"ident", "Int16"},
	{"authenticator", "String"}, // hex
	{"client", "String"},        // address:port of the RADIUS client (captures)
	{"server", "String"},
	{"computer", "String"},
	{"service", "String"},
	{"user_name", "String"},
	{"nas_ip", "String"},
	{"nas_id", "String"},
	{"client_ip", "String"},
	{"client_name", "String"},
	{"calling_station", "String"},
	{"called_station", "String"},
	{"class", "String"},
	{"acct_session_id", "String"},
	{"acct_status", "Int32"},
	{"auth_type", "Int32"},
	{"policy", "String"},
	{"proxy_policy", "String"},
	{"reason", "Int32"},
	{"marks", "UInt16"},
	{"has_check", "UInt8"},
	{"check_authenticator", "UInt8"},
	{"check_message_authenticator", "UInt8"},
	{"check_password", "UInt8"},
	{"has_event", "UInt8"},
	{"event_id", "Int32"},
	{"event_provider", "String"},
	{"event_channel", "String"},
	{"event_record", "UInt64"},
	{"event_level", "String"},
	{"event_message", "String"},
	{"event_data", "Nested(key String, value String)"},
	{"has_mfa", "UInt8"},
	{"mfa_cid", "String"},
	{"mfa_result", "String"},
	{"mfa_error", "String"},
	{"mfa_method", "String"},
	{"mfa_message", "String"},
	{"mfa_outcome", "String"},
	{"mfa_state", "String"},
	{"peer", "Int64"},
	{"rtt_ns", "Int64"},
	{"src_format", "String"},
	{"src_file", "String"},
	{"src_line", "UInt32"},
	{"src_col", "UInt32"},
	{"src_offset", "Int64"},
	{"src_frame", "Int64"},
	{"src_record", "Int64"},
	{"attrs", "Nested(vendor UInt32, type Int32, name String, value String, raw String, sensitive UInt8)"},
}

var flowColumns = [][2]string{
	{"id", "UInt64"}, // deterministic: the ids of the flow's messages (see FlowID)
	{"seq", "Int64"}, // Flow.ID within the export run
	{"ord", "UInt64"},
	{"kind", "String"},
	{"start", "DateTime('UTC')"},
	{"start_ns", "UInt32"},
	{"end", "DateTime('UTC')"},
	{"end_ns", "UInt32"},
	{"user_name", "String"},
	{"computer", "String"},
	{"nas", "String"},
	{"client", "String"},
	{"calling_station", "String"},
	{"called_station", "String"},
	{"method", "String"},
	{"policy", "String"},
	{"proxy_policy", "String"},
	{"acct_session_id", "String"},
	{"class", "String"},
	{"outcome", "String"},
	{"failed", "UInt8"},
	{"reason", "Int32"},
	{"reason_text", "String"},
	{"has_mfa", "UInt8"},
	{"mfa_cid", "String"},
	{"mfa_result", "String"},
	{"mfa_error", "String"},
	{"mfa_method", "String"},
	{"mfa_message", "String"},
	{"mfa_outcome", "String"},
	{"mfa_state", "String"},
	{"mfa_label", "String"}, // report.MFAMethod: how MFA went
	{"latency_ns", "Int64"},
	{"measured", "UInt8"},
	{"skew_ns", "Int64"},
	{"sources", "Array(String)"},
	{"linked", "Int64"},
	{"linked_id", "UInt64"},
	{"auth_seen", "UInt8"},
	{"messages", "UInt32"},
	{"retransmits", "UInt32"},
	{"events", "Array(String)"},
	{"severity", "String"}, // of the top finding
	{"finding", "String"},  // rule of the top finding
	{"rounds", "Nested(request Int32, retransmits String, response Int32, code UInt8, latency_ns Int64)"},
	{"findings", "Nested(rule String, severity String, text String, remedy String, evidence String)"},
	// Added after the first release (addedFlowColumns): CreateSchema adds
	// them to older tables.
	{"part", "UInt32"},         // Flow.Part: piece of a long accounting session
	{"continues", "Int64"},     // Flow.Continues: seq of the previous part
	{"continues_id", "UInt64"}, // its id (0 when unknown)
}

// addedFlowColumns is how many of flowColumns, at the end, tables created
// by an earlier radscope lack.
const addedFlowColumns = 3

// runColumns are the columns of the runs table: one row per export run,
// with what the flow builder found about the inputs as a whole — the clock
// offsets between the kinds of source and the zone hints (a wrong --tz).
var runColumns = [][2]string{
	{"id", "UInt64"}, // deterministic: the ids of the run's flows, in order
	{"start", "DateTime('UTC')"},
	{"end", "DateTime('UTC')"}, // the span of the run's flows
	{"flows", "UInt64"},
	{"messages", "UInt64"},
	{"computers", "Array(String)"}, // NPS servers seen (at most 64)
	{"clock_ref", "String"},        // the kind the offsets are relative to
	{"clock_offsets", "Nested(kind String, offset_ns Int64, pairs UInt32, applied UInt8)"},
	{"zone_hints", "Nested(kind String, ref String, offset_ns Int64, votes UInt32)"},
}

// Schema returns the CREATE TABLE statements of the three tables, for
// database db (qualified names when db is not empty). All are
// ReplacingMergeTree tables ordered by time and a deterministic id, so a
// row written twice is kept once; messages and flows are partitioned by
// day, runs by month.
func Schema(db string, t Tables) ([]string, error) {
	t = t.orDefault()
	if err := t.check(); err != nil {
		return nil, err
	}
	if db != "" {
		if err := ch.Ident(db); err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		db += "."
	}
	return []string{
		createTable(db+t.Messages, messageColumns, "toDate(time)", "(time, id)"),
		createTable(db+t.Flows, flowColumns, "toDate(start)", "(start, id)"),
		createTable(db+t.Runs, runColumns, "toYYYYMM(start)", "(start, id)"),
	}, nil
}

// Upgrade returns the ALTER TABLE statement that adds the columns of this
// version to a flows table created by an earlier radscope (db as for
// Schema).
func Upgrade(db string, t Tables) (string, error) {
	t = t.orDefault()
	if err := t.check(); err != nil {
		return "", err
	}
	if db != "" {
		if err := ch.Ident(db); err != nil {
			return "", fmt.Errorf("export: %w", err)
		}
		db += "."
	}
	return alterAdd(db+t.Flows, flowColumns[len(flowColumns)-addedFlowColumns:]), nil
}

func alterAdd(table string, cols [][2]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "ALTER TABLE %s", table)
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "\n    ADD COLUMN `%s` %s", c[0], c[1])
	}
	return b.String()
}

func createTable(name string, cols [][2]string, partition, order string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s\n(\n", name)
	for i, c := range cols {
		sep := ","
		if i == len(cols)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "    `%s` %s%s\n", c[0], c[1], sep)
	}
	fmt.Fprintf(&b, ")\nENGINE = ReplacingMergeTree\nPARTITION BY %s\nORDER BY %s", partition, order)
	return b.String()
}
